"""Entitlements: extended warranty (延保), full cover (全保), free cleanings, membership."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Entitlement


async def for_customer(
    session: AsyncSession, customer_id: int, kind: str | None = None
) -> list[Entitlement]:
    q = select(Entitlement).where(Entitlement.customer_id == customer_id)
    if kind:
        q = q.where(Entitlement.kind == kind)
    return list(await session.scalars(q.order_by(Entitlement.id)))


async def for_device(session: AsyncSession, device_id: int) -> list[Entitlement]:
    return list(
        await session.scalars(
            select(Entitlement).where(Entitlement.device_id == device_id).order_by(Entitlement.id)
        )
    )


async def active_cover(session: AsyncSession, device_id: int, on: date) -> Entitlement | None:
    """The extended-warranty or full-cover entitlement covering this device on ``on``."""
    return await session.scalar(
        select(Entitlement)
        .where(
            Entitlement.device_id == device_id,
            Entitlement.kind.in_(("extended_warranty", "full_cover")),
            Entitlement.status == "active",
            Entitlement.valid_from <= on,
            Entitlement.valid_until >= on,
        )
        .order_by(Entitlement.valid_until.desc())
        .limit(1)
    )


async def create(session: AsyncSession, **fields: Any) -> Entitlement:
    row = Entitlement(**fields)
    session.add(row)
    await session.flush()
    return row
