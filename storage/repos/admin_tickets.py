"""Admin console queries: service tickets."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.models import Customer, OutboxMessage, Rating, ServiceTicket, Staff
from storage.repos import store_scope


async def listing(
    session: AsyncSession,
    status: str | None = None,
    *,
    limit: int = 100,
    store_id: int | None = None,
) -> list[tuple[ServiceTicket, Customer]]:
    q = (
        select(ServiceTicket, Customer)
        .join(Customer, Customer.id == ServiceTicket.customer_id)
        .order_by(ServiceTicket.id.desc())
        .limit(limit)
    )
    if status:
        q = q.where(ServiceTicket.status == status)
    q = store_scope.by_ticket(q, ServiceTicket.id, store_id)
    return [(t, c) for t, c in (await session.execute(q)).all()]


async def counts(session: AsyncSession, store_id: int | None = None) -> dict[str, int]:
    q = select(ServiceTicket.status, func.count()).group_by(ServiceTicket.status)
    rows = await session.execute(store_scope.by_ticket(q, ServiceTicket.id, store_id))
    return {s: n for s, n in rows.all()}


async def get(
    session: AsyncSession, ticket_id: int, store_id: int | None = None
) -> ServiceTicket | None:
    """The ticket, when it is one ``store_id``'s (any store's when None)."""
    q = (
        select(ServiceTicket)
        .where(ServiceTicket.id == ticket_id)
        .options(selectinload(ServiceTicket.events))
    )
    return await session.scalar(store_scope.by_ticket(q, ServiceTicket.id, store_id))


async def by_number(session: AsyncSession, number: str) -> ServiceTicket | None:
    return await session.scalar(
        select(ServiceTicket)
        .where(ServiceTicket.number == number)
        .options(selectinload(ServiceTicket.events))
    )


async def rating(session: AsyncSession, ticket_id: int) -> Rating | None:
    return await session.scalar(select(Rating).where(Rating.ticket_id == ticket_id))


async def engineer(session: AsyncSession, staff_id: int | None) -> Staff | None:
    return await session.get(Staff, staff_id) if staff_id else None


async def pending_after(session: AsyncSession, customer_id: int, after_id: int) -> list[int]:
    """Ids of the customer's pending outbox rows newer than ``after_id`` (just enqueued)."""
    rows = await session.scalars(
        select(OutboxMessage.id).where(
            OutboxMessage.customer_id == customer_id,
            OutboxMessage.id > after_id,
            OutboxMessage.status == "pending",
        )
    )
    return list(rows)


async def last_outbox_id(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.max(OutboxMessage.id))) or 0)


async def engineers(session: AsyncSession, store_id: int | None) -> list[Staff]:
    """Active engineers a ticket of ``store_id`` can go to (every store's when it has none)."""
    q = select(Staff).where(Staff.role == "engineer", Staff.active.is_(True))
    if store_id is not None:
        q = q.where(Staff.store_id == store_id)
    return list(await session.scalars(q.order_by(Staff.name)))


async def overdue_count(session: AsyncSession, now: datetime, store_id: int | None = None) -> int:
    """Visits whose window has passed without being done or cancelled."""
    q = select(func.count()).where(
        ServiceTicket.status.not_in(("done", "cancelled")),
        ServiceTicket.window_end.is_not(None),
        ServiceTicket.window_end < now,
    )
    return int(await session.scalar(store_scope.by_ticket(q, ServiceTicket.id, store_id)) or 0)
