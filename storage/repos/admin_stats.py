"""Admin console queries: the figures behind the charts and the outbox pages."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Customer, InboundMessage, OutboxMessage, Rating
from storage.repos import store_scope


async def inbound_times(
    session: AsyncSession, since: datetime, store_id: int | None = None
) -> list[tuple[datetime, str]]:
    """(when, sender) of each inbound message since ``since`` (bucketed by local day by the
    caller, whose time zone SQL does not know)."""
    q = select(InboundMessage.received_at, InboundMessage.from_user).where(
        InboundMessage.received_at >= since
    )
    rows = await session.execute(store_scope.by_sender(q, InboundMessage.from_user, store_id))
    return [(t, u) for t, u in rows.all()]


async def intents(
    session: AsyncSession, since: datetime, store_id: int | None = None
) -> list[tuple[str, int]]:
    q = (
        select(InboundMessage.intent, func.count())
        .where(InboundMessage.received_at >= since, InboundMessage.intent.is_not(None))
        .group_by(InboundMessage.intent)
        .order_by(func.count().desc())
    )
    rows = await session.execute(store_scope.by_sender(q, InboundMessage.from_user, store_id))
    return [(i, n) for i, n in rows.all()]


async def ratings(session: AsyncSession, store_id: int | None = None) -> dict[int, int]:
    q = select(Rating.stars, func.count()).group_by(Rating.stars)
    rows = await session.execute(store_scope.by_ticket(q, Rating.ticket_id, store_id))
    return {int(s): n for s, n in rows.all()}


async def sends(session: AsyncSession, store_id: int | None = None) -> list[tuple[str, str, int]]:
    """(channel, status, count) over the whole outbox (a store's customers' only)."""
    q = select(OutboxMessage.channel, OutboxMessage.status, func.count()).group_by(
        OutboxMessage.channel, OutboxMessage.status
    )
    rows = await session.execute(store_scope.by_customer(q, OutboxMessage.customer_id, store_id))
    return [(c, s, n) for c, s, n in rows.all()]


async def outbox_page(
    session: AsyncSession, status: str | None, *, limit: int = 100, store_id: int | None = None
) -> list[tuple[OutboxMessage, Customer | None]]:
    q = (
        select(OutboxMessage, Customer)
        .outerjoin(Customer, Customer.id == OutboxMessage.customer_id)
        .order_by(OutboxMessage.id.desc())
        .limit(limit)
    )
    if status:
        q = q.where(OutboxMessage.status == status)
    q = store_scope.by_customer(q, OutboxMessage.customer_id, store_id)
    return [(m, c) for m, c in (await session.execute(q)).all()]


async def outbox_in_store(session: AsyncSession, row_id: int, store_id: int | None) -> bool:
    if store_id is None:
        return True
    q = store_scope.by_customer(
        select(OutboxMessage.id).where(OutboxMessage.id == row_id),
        OutboxMessage.customer_id,
        store_id,
    )
    return await session.scalar(q) is not None
