"""Customer queries: look-ups, and the upsert by phone that imports and the demo use."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Customer, OptOut
from storage.repos.upsert import update_changed


async def by_phone(session: AsyncSession, phone: str) -> Customer | None:
    return await session.scalar(select(Customer).where(Customer.phone == phone))


async def search(
    session: AsyncSession, term: str, store_id: int | None = None, limit: int = 5
) -> list[Customer]:
    """By phone (full or prefix; four digits also match the tail, "尾号0002"), or name.
    ``%`` and ``_`` in ``term`` are matched as themselves (escaped), not as wildcards."""
    matches = [
        Customer.phone.startswith(term, autoescape=True),
        Customer.name == term,
        Customer.name.contains(term, autoescape=True),
    ]
    if len(term) == 4 and term.isdigit():
        matches.append(Customer.phone.endswith(term, autoescape=True))
    q = select(Customer).where(or_(*matches))
    if store_id is not None:
        q = q.where(Customer.store_id == store_id)
    return list(await session.scalars(q.order_by(Customer.id).limit(limit)))


async def upsert_by_phone(session: AsyncSession, phone: str, fields: dict[str, Any]) -> str:
    """Insert or update the customer with this phone. Returns "created", "updated" or "unchanged"."""
    customer = await by_phone(session, phone)
    if customer is None:
        session.add(Customer(phone=phone, **fields))
        await session.flush()
        return "created"
    return await update_changed(session, customer, fields)


async def opt_outs(session: AsyncSession, customer_id: int) -> set[str]:
    rows = await session.scalars(select(OptOut.kind).where(OptOut.customer_id == customer_id))
    return set(rows)


async def attribute_scene(session: AsyncSession, customer: Customer, scene: str) -> str | None:
    """Attribute a not-yet-attributed customer to the store or guide of a QR scene.

    ``scene`` is "store:<store code>" or "guide:<wecom userid>". Returns the store's name
    when something was set, else None (unknown scene, or already attributed).
    """
    from storage.models import Staff, Store

    kind, _, code = scene.partition(":")
    if kind == "store" and code:
        store = await session.scalar(select(Store).where(Store.code == code))
        if store is None or customer.store_id is not None:
            return None
        customer.store_id = store.id
        return store.name
    if kind == "guide" and code:
        staff = await session.scalar(select(Staff).where(Staff.wecom_userid == code))
        if staff is None or customer.guide_id is not None:
            return None
        if customer.store_id not in (None, staff.store_id):
            return None  # already a customer of another store
        customer.guide_id = staff.id
        customer.store_id = staff.store_id
        store = await session.get(Store, staff.store_id)
        return store.name if store else None
    return None


async def by_id(session: AsyncSession, customer_id: int) -> Customer | None:
    return await session.get(Customer, customer_id)
