"""Sales leads (销售机会) found by guides: new → contacted → won | lost, owned by a store."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import SalesLead

STATUSES = ("new", "contacted", "won", "lost")


async def create(
    session: AsyncSession,
    *,
    store_id: int,
    guide_id: int,
    customer_id: int | None,
    customer_name: str | None,
    interest: str,
    budget_fen: int | None,
    now: datetime,
) -> SalesLead:
    row = SalesLead(
        store_id=store_id,
        guide_id=guide_id,
        customer_id=customer_id,
        customer_name=(customer_name or None) and customer_name[:32],
        interest=interest[:200],
        budget_fen=budget_fen,
        status="new",
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    await session.flush()
    return row


async def get_in_store(session: AsyncSession, lead_id: int, store_id: int) -> SalesLead | None:
    return await session.scalar(
        select(SalesLead).where(SalesLead.id == lead_id, SalesLead.store_id == store_id)
    )


async def open_for_store(session: AsyncSession, store_id: int, limit: int = 20) -> list[SalesLead]:
    return list(
        await session.scalars(
            select(SalesLead)
            .where(SalesLead.store_id == store_id, SalesLead.status.in_(("new", "contacted")))
            .order_by(SalesLead.id)
            .limit(limit)
        )
    )


async def set_status(session: AsyncSession, lead: SalesLead, status: str, now: datetime) -> None:
    if status not in STATUSES:
        raise ValueError(status)
    lead.status = status
    lead.updated_at = now
    await session.flush()
