"""Device queries: the customer's appliances and their consumable stages."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.models import ConsumableStage, Device, Supply
from storage.repos import expected
from storage.repos.upsert import update_changed


async def by_serial(session: AsyncSession, serial: str) -> Device | None:
    return await session.scalar(select(Device).where(Device.serial == serial))


async def for_customer(
    session: AsyncSession, customer_id: int, category: str | None = None
) -> list[Device]:
    """The customer's active devices with their stages. Remembered for the rest of the
    transaction (one dialog turn asks several times); adding a device here forgets it.
    The first ask reads those of every customer of the batch too (storage/repos/expected.py)."""
    await preload(session, expected.along_with(session, customer_id))
    found = [d for d in session.info["devices_of"][customer_id] if not d.retired]
    return [d for d in found if d.category == category] if category else found


async def preload(session: AsyncSession, customer_ids: list[int]) -> None:
    """Read the active devices of many customers in one statement and remember them for
    :func:`for_customer` in this transaction (a batch of dialog turns)."""
    cache = session.info.setdefault("devices_of", {})
    wanted = [cid for cid in dict.fromkeys(customer_ids) if cid not in cache]
    if not wanted:
        return
    found: dict[int, list[Device]] = {cid: [] for cid in wanted}
    for device in await session.scalars(
        select(Device)
        .where(Device.customer_id.in_(wanted), Device.retired.is_(False))
        .options(selectinload(Device.stages))
        .order_by(Device.id)
    ):
        found[device.customer_id].append(device)
    cache.update(found)


def _forget(session: AsyncSession) -> None:
    session.info.pop("devices_of", None)


async def upsert_by_serial(session: AsyncSession, serial: str, fields: dict[str, Any]) -> str:
    """Insert or update the device with this serial. Returns "created", "updated" or "unchanged"."""
    device = await by_serial(session, serial)
    if device is None:
        _forget(session)
        session.add(Device(serial=serial, **fields))
        await session.flush()
        return "created"
    return await update_changed(session, device, fields)


# ── added for the business handlers (filters, warranty, register) ──


async def get_for_customer(
    session: AsyncSession, customer_id: int, device_id: int
) -> Device | None:
    """One of the customer's devices (with its stages), or ``None`` if not theirs."""
    return await session.scalar(
        select(Device)
        .where(Device.id == device_id, Device.customer_id == customer_id)
        .options(selectinload(Device.stages))
    )


async def create(session: AsyncSession, **fields: Any) -> Device:
    _forget(session)
    device = Device(**fields)
    session.add(device)
    await session.flush()
    return device


async def set_stage_replaced(
    session: AsyncSession, device_id: int, stage: str, name: str, life_days: int, on: date
) -> ConsumableStage:
    """Record that a filter stage was replaced on ``on`` (the row is created if missing)."""
    row = await session.scalar(
        select(ConsumableStage).where(
            ConsumableStage.device_id == device_id, ConsumableStage.stage == stage
        )
    )
    if row is None:
        _forget(session)
        row = ConsumableStage(
            device_id=device_id, stage=stage, name=name, life_days=life_days, last_replaced_on=on
        )
        session.add(row)
    else:
        row.last_replaced_on = on
        row.life_days = life_days
    await session.flush()
    return row


async def supplies_for(session: AsyncSession, customer_id: int) -> list[Supply]:
    """The customer's active supplies used at a known rate (baby formula…)."""
    return list(
        await session.scalars(
            select(Supply)
            .where(Supply.customer_id == customer_id, Supply.active.is_(True))
            .order_by(Supply.id)
        )
    )
