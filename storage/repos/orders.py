"""Consumable orders (filters…): readable numbers like ``F20261125-0001``, creation, listing."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ConsumableOrder
from storage.repos import numbers
from storage.repos.upsert import inserted

CLOSED = ("done", "cancelled")


async def by_source_key(session: AsyncSession, source_key: str) -> ConsumableOrder | None:
    return await session.scalar(
        select(ConsumableOrder).where(ConsumableOrder.source_key == source_key)
    )


async def by_number(session: AsyncSession, number: str) -> ConsumableOrder | None:
    return await session.scalar(select(ConsumableOrder).where(ConsumableOrder.number == number))


async def create(
    session: AsyncSession,
    *,
    customer_id: int,
    local_day: date,
    source_key: str | None = None,
    prefix: str = "F",
    **fields: Any,
) -> tuple[ConsumableOrder, bool]:
    """A new order numbered ``<prefix><YYYYMMDD>-<NNNN>``. Returns ``(order, created)``; a
    ``source_key`` seen before returns the existing order and ``False``."""
    if source_key:
        existing = await by_source_key(session, source_key)
        if existing is not None:
            return existing, False
    stem = f"{prefix}{local_day:%Y%m%d}-"
    for _ in range(50):
        seq = await numbers.next_number(session, stem, ConsumableOrder.number)
        order = ConsumableOrder(
            number=f"{stem}{seq:04d}",
            customer_id=customer_id,
            source_key=source_key,
            **fields,
        )
        if await inserted(session, order):
            return order, True
        if source_key and (existing := await by_source_key(session, source_key)):
            return existing, False
    raise RuntimeError("could not allocate an order number")


async def for_customer(
    session: AsyncSession, customer_id: int, *, open_only: bool = False, limit: int = 20
) -> list[ConsumableOrder]:
    q = select(ConsumableOrder).where(ConsumableOrder.customer_id == customer_id)
    if open_only:
        q = q.where(ConsumableOrder.status.not_in(CLOSED))
    return list(await session.scalars(q.order_by(ConsumableOrder.id.desc()).limit(limit)))
