"""Admin console queries: the figures behind the charts and the outbox pages."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Customer, InboundMessage, OutboxMessage, Rating


async def inbound_times(session: AsyncSession, since: datetime) -> list[tuple[datetime, str]]:
    """(when, sender) of each inbound message since ``since`` (bucketed by local day by the
    caller, whose time zone SQL does not know)."""
    rows = await session.execute(
        select(InboundMessage.received_at, InboundMessage.from_user).where(
            InboundMessage.received_at >= since
        )
    )
    return [(t, u) for t, u in rows.all()]


async def intents(session: AsyncSession, since: datetime) -> list[tuple[str, int]]:
    rows = await session.execute(
        select(InboundMessage.intent, func.count())
        .where(InboundMessage.received_at >= since, InboundMessage.intent.is_not(None))
        .group_by(InboundMessage.intent)
        .order_by(func.count().desc())
    )
    return [(i, n) for i, n in rows.all()]


async def ratings(session: AsyncSession) -> dict[int, int]:
    rows = await session.execute(select(Rating.stars, func.count()).group_by(Rating.stars))
    return {int(s): n for s, n in rows.all()}


async def sends(session: AsyncSession) -> list[tuple[str, str, int]]:
    """(channel, status, count) over the whole outbox."""
    rows = await session.execute(
        select(OutboxMessage.channel, OutboxMessage.status, func.count()).group_by(
            OutboxMessage.channel, OutboxMessage.status
        )
    )
    return [(c, s, n) for c, s, n in rows.all()]


async def outbox_page(
    session: AsyncSession, status: str | None, *, limit: int = 100
) -> list[tuple[OutboxMessage, Customer | None]]:
    q = (
        select(OutboxMessage, Customer)
        .outerjoin(Customer, Customer.id == OutboxMessage.customer_id)
        .order_by(OutboxMessage.id.desc())
        .limit(limit)
    )
    if status:
        q = q.where(OutboxMessage.status == status)
    return [(m, c) for m, c in (await session.execute(q)).all()]
