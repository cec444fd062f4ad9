"""Service tickets (repair, install, cleaning, trade-in visits) and their events.

Numbers read ``<prefix><YYYYMMDD>-<NNNN>``: R repair, I install, C cleaning, T trade-in visit;
the date is the local booking day and the sequence restarts every day (storage/repos/numbers.py:
on PostgreSQL concurrent bookings take numbers without waiting for each other). The ``number``
column is unique: a booking that meets a number taken some other way retries with the next one.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Rating, ServiceTicket, TicketEvent
from storage.repos import expected, numbers
from storage.repos.upsert import inserted

PREFIXES = {"repair": "R", "install": "I", "cleaning": "C", "trade_in": "T"}
OPEN_STATUSES = ("open", "assigned", "on_the_way", "arrived")


def prefix_for(kind: str) -> str:
    return PREFIXES.get(kind, "S")


async def by_source_key(session: AsyncSession, source_key: str) -> ServiceTicket | None:
    return await session.scalar(select(ServiceTicket).where(ServiceTicket.source_key == source_key))


async def by_number(session: AsyncSession, number: str) -> ServiceTicket | None:
    return await session.scalar(select(ServiceTicket).where(ServiceTicket.number == number))


async def create(
    session: AsyncSession,
    *,
    kind: str,
    customer_id: int,
    local_day: date,
    now: datetime,
    source_key: str | None = None,
    actor: str = "customer",
    **fields: Any,
) -> tuple[ServiceTicket, bool]:
    """A new ticket with the next number of ``local_day`` and its first event ("open").

    Returns ``(ticket, created)``; with a ``source_key`` already used, the existing ticket
    and ``False`` (a replayed message never makes a second ticket)."""
    if source_key:
        existing = await by_source_key(session, source_key)
        if existing is not None:
            return existing, False
    stem = f"{prefix_for(kind)}{local_day:%Y%m%d}-"
    for _ in range(50):
        seq = await numbers.next_number(session, stem, ServiceTicket.number)
        ticket = ServiceTicket(
            number=f"{stem}{seq:04d}",
            kind=kind,
            customer_id=customer_id,
            source_key=source_key,
            created_at=now,
            updated_at=now,
            **fields,
        )
        if not await inserted(session, ticket):
            if source_key and (existing := await by_source_key(session, source_key)):
                return existing, False
            continue
        session.add(TicketEvent(ticket_id=ticket.id, status="open", actor=actor, at=now))
        session.info.pop("last_address_of", None)  # it may be this customer's latest now
        await session.flush()
        return ticket, True
    raise RuntimeError("could not allocate a ticket number")


async def add_event(
    session: AsyncSession,
    ticket: ServiceTicket,
    status: str,
    *,
    now: datetime,
    actor: str | None = None,
    note: str | None = None,
) -> TicketEvent:
    ticket.status = status
    ticket.updated_at = now
    if status == "done":
        ticket.done_at = now
    event = TicketEvent(ticket_id=ticket.id, status=status, actor=actor, note=note, at=now)
    session.add(event)
    await session.flush()
    return event


async def events(session: AsyncSession, ticket_id: int) -> list[TicketEvent]:
    return list(
        await session.scalars(
            select(TicketEvent).where(TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.id)
        )
    )


async def for_customer(
    session: AsyncSession, customer_id: int, *, open_only: bool = False, limit: int = 20
) -> list[ServiceTicket]:
    q = select(ServiceTicket).where(ServiceTicket.customer_id == customer_id)
    if open_only:
        q = q.where(ServiceTicket.status.in_(OPEN_STATUSES))
    return list(await session.scalars(q.order_by(ServiceTicket.id.desc()).limit(limit)))


async def open_first(
    session: AsyncSession, customer_id: int, *, limit: int = 20
) -> list[ServiceTicket]:
    """The customer's open tickets, then the latest others (newest first in each part), in
    one statement: what 查进度 shows."""
    is_open = case((ServiceTicket.status.in_(OPEN_STATUSES), 0), else_=1)
    q = (
        select(ServiceTicket)
        .where(ServiceTicket.customer_id == customer_id)
        .order_by(is_open, ServiceTicket.id.desc())
        .limit(limit)
    )
    return list(await session.scalars(q))


async def last_address(session: AsyncSession, customer_id: int) -> str | None:
    """The address of the customer's latest ticket that has one. Remembered for the rest
    of the transaction; the first ask reads those of every customer of the batch
    (storage/repos/expected.py) too, in one statement, as a booking form asks on many turns."""
    known: dict[int, str | None] = session.info.setdefault("last_address_of", {})
    if customer_id not in known:
        wanted = [c for c in expected.along_with(session, customer_id) if c not in known]
        rows = await session.execute(_LAST_ADDRESSES, {"ids": wanted})
        known.update(dict.fromkeys(wanted))
        known.update({cid: address for cid, address in rows})
    return known[customer_id]


_LATEST_WITH_ADDRESS = (
    select(func.max(ServiceTicket.id))
    .where(
        ServiceTicket.customer_id.in_(bindparam("ids", expanding=True)),
        ServiceTicket.address.is_not(None),
    )
    .group_by(ServiceTicket.customer_id)
)
_LAST_ADDRESSES = select(ServiceTicket.customer_id, ServiceTicket.address).where(
    ServiceTicket.id.in_(_LATEST_WITH_ADDRESS)
)


async def unrated_done(
    session: AsyncSession, customer_id: int, since: datetime
) -> ServiceTicket | None:
    """The latest ticket done since ``since`` that has no rating yet."""
    rated = select(Rating.ticket_id)
    return await session.scalar(
        select(ServiceTicket)
        .where(
            ServiceTicket.customer_id == customer_id,
            ServiceTicket.status == "done",
            ServiceTicket.done_at >= since,
            ServiceTicket.id.not_in(rated),
        )
        .order_by(ServiceTicket.done_at.desc())
        .limit(1)
    )


async def add_rating(
    session: AsyncSession,
    ticket: ServiceTicket,
    stars: int,
    *,
    now: datetime,
    comment: str | None = None,
) -> Rating | None:
    """Record the ticket's rating; ``None`` when it was already rated."""
    if await session.scalar(select(Rating.id).where(Rating.ticket_id == ticket.id)):
        return None
    row = Rating(
        ticket_id=ticket.id,
        customer_id=ticket.customer_id,
        stars=stars,
        comment=(comment or "")[:500] or None,
        created_at=now,
    )
    return row if await inserted(session, row) else None
