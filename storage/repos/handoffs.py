"""Handoffs: a complaint or a request for a person; the bot keeps quiet while one is live."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Handoff


async def open_handoff(
    session: AsyncSession,
    customer_id: int,
    kind: str,
    *,
    reason: str | None,
    now: datetime,
    quiet_until: datetime | None,
    ticket_id: int | None = None,
) -> Handoff:
    row = Handoff(
        customer_id=customer_id,
        kind=kind,
        reason=(reason or "")[:500] or None,
        ticket_id=ticket_id,
        quiet_until=quiet_until,
        created_at=now,
    )
    session.add(row)
    await session.flush()
    return row


def keeps_quiet(now: Any) -> ColumnElement[bool]:
    """A handoff that keeps the bot quiet at ``now`` (a datetime or a bound parameter)."""
    return and_(
        Handoff.status == "open",
        Handoff.quiet_until.is_not(None),
        Handoff.quiet_until > now,
    )


async def quiet_for(session: AsyncSession, customer_id: int, now: datetime) -> Handoff | None:
    """The open handoff that keeps the bot quiet right now, if any."""
    return await session.scalar(
        select(Handoff)
        .where(Handoff.customer_id == customer_id, keeps_quiet(now))
        .order_by(Handoff.id.desc())
        .limit(1)
    )


async def open_for(session: AsyncSession, customer_id: int) -> list[Handoff]:
    return list(
        await session.scalars(
            select(Handoff)
            .where(Handoff.customer_id == customer_id, Handoff.status == "open")
            .order_by(Handoff.id)
        )
    )


async def release(session: AsyncSession, customer_id: int, now: datetime) -> int:
    """A human hands the chat back: close the customer's open handoffs."""
    rows = await open_for(session, customer_id)
    for row in rows:
        row.status = "closed"
        row.closed_at = now
        row.quiet_until = None
    await session.flush()
    return len(rows)
