"""Admin console queries: customers, their devices and history."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.models import (
    ChannelIdentity,
    ConsumableOrder,
    Customer,
    Device,
    Handoff,
    InboundMessage,
    OutboxMessage,
    Rating,
    ServiceTicket,
    Staff,
    Store,
    TradeInRequest,
)


async def search(
    session: AsyncSession,
    q: str | None,
    *,
    limit: int = 50,
    offset: int = 0,
    store_id: int | None = None,
) -> tuple[list[tuple[Customer, int]], int]:
    """Customers matching ``q`` (name, phone or address), with their device count; and the
    total (of ``store_id``'s customers only, when given)."""
    where = [] if store_id is None else [Customer.store_id == store_id]
    if q:
        term = q.strip()  # % and _ are matched as themselves (escaped), not as wildcards
        where.append(
            or_(
                Customer.name.contains(term, autoescape=True),
                Customer.phone.contains(term, autoescape=True),
                Customer.address.contains(term, autoescape=True),
            )
        )
    total = await session.scalar(select(func.count(Customer.id)).where(*where)) or 0
    devices = (
        select(Device.customer_id, func.count(Device.id).label("n"))
        .where(Device.retired.is_(False))
        .group_by(Device.customer_id)
        .subquery()
    )
    rows = await session.execute(
        select(Customer, func.coalesce(devices.c.n, 0))
        .outerjoin(devices, devices.c.customer_id == Customer.id)
        .where(*where)
        .order_by(Customer.id)
        .limit(limit)
        .offset(offset)
    )
    return [(c, int(n)) for c, n in rows.all()], int(total)


@dataclass
class CustomerFile:
    customer: Customer
    store: Store | None
    guide: Staff | None
    identities: list[ChannelIdentity]
    devices: list[Device]
    tickets: list[ServiceTicket]
    trade_ins: list[TradeInRequest]
    orders: list[ConsumableOrder]
    ratings: dict[int, Rating]
    handoffs: list[Handoff]
    messages_in: list[InboundMessage]
    messages_out: list[OutboxMessage]
    extra: dict[str, Any] = field(default_factory=dict)


async def file(
    session: AsyncSession, customer_id: int, *, recent: int = 30, store_id: int | None = None
) -> CustomerFile | None:
    """Everything the console shows about one customer (None when not ``store_id``'s)."""
    c = await session.get(Customer, customer_id)
    if c is None or (store_id is not None and c.store_id != store_id):
        return None
    identities = list(
        await session.scalars(
            select(ChannelIdentity).where(ChannelIdentity.customer_id == customer_id)
        )
    )
    devices = list(
        await session.scalars(
            select(Device)
            .where(Device.customer_id == customer_id)
            .options(selectinload(Device.stages))
            .order_by(Device.id)
        )
    )
    tickets = list(
        await session.scalars(
            select(ServiceTicket)
            .where(ServiceTicket.customer_id == customer_id)
            .order_by(ServiceTicket.id.desc())
        )
    )
    ratings = {
        r.ticket_id: r
        for r in await session.scalars(select(Rating).where(Rating.customer_id == customer_id))
    }
    trade_ins = list(
        await session.scalars(
            select(TradeInRequest)
            .where(TradeInRequest.customer_id == customer_id)
            .order_by(TradeInRequest.id.desc())
        )
    )
    orders = list(
        await session.scalars(
            select(ConsumableOrder)
            .where(ConsumableOrder.customer_id == customer_id)
            .order_by(ConsumableOrder.id.desc())
        )
    )
    handoffs = list(
        await session.scalars(
            select(Handoff).where(Handoff.customer_id == customer_id).order_by(Handoff.id.desc())
        )
    )
    ids = [i.external_id for i in identities]
    messages_in: list[InboundMessage] = []
    if ids:
        messages_in = list(
            await session.scalars(
                select(InboundMessage)
                .where(InboundMessage.from_user.in_(ids))
                .order_by(InboundMessage.id.desc())
                .limit(recent)
            )
        )
    messages_out = list(
        await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.customer_id == customer_id)
            .order_by(OutboxMessage.id.desc())
            .limit(recent)
        )
    )
    store = await session.get(Store, c.store_id) if c.store_id else None
    guide = await session.get(Staff, c.guide_id) if c.guide_id else None
    messages_in.reverse()  # the conversation reads top to bottom, as it happened
    led_to = _led_to(messages_in, tickets, trade_ins, orders)
    return CustomerFile(
        c,
        store,
        guide,
        identities,
        devices,
        tickets,
        trade_ins,
        orders,
        ratings,
        handoffs,
        messages_in,
        messages_out,
        extra={"led_to": led_to},
    )


def _led_to(
    messages: list[InboundMessage],
    tickets: list[ServiceTicket],
    trade_ins: list[TradeInRequest],
    orders: list[ConsumableOrder],
) -> dict[int, list[tuple[str, str, str | None]]]:
    """Inbound message id → what it led to: (what, number, link), from the rows' source keys."""
    by_key: dict[str, list[tuple[str, str, str | None]]] = {}
    for t in tickets:
        if t.source_key:
            by_key.setdefault(t.source_key, []).append(("工单", t.number, f"/admin/tickets/{t.id}"))
    for r in trade_ins:
        if r.source_key:
            by_key.setdefault(r.source_key, []).append(("以旧换新", r.number, None))
    for o in orders:
        if o.source_key:
            by_key.setdefault(o.source_key, []).append(("耗材订单", o.number, None))
    return {m.id: by_key[m.dedup_key] for m in messages if m.dedup_key in by_key}


async def names(session: AsyncSession, ids: list[int]) -> dict[int, str]:
    """Customer id → name (or 客户#id) for the given ids."""
    if not ids:
        return {}
    rows = await session.execute(select(Customer.id, Customer.name).where(Customer.id.in_(ids)))
    return {i: (n or f"客户#{i}") for i, n in rows.all()}


async def of_store(session: AsyncSession, ids: list[int], store_id: int) -> set[int]:
    """Those of ``ids`` that are ``store_id``'s customers."""
    if not ids:
        return set()
    rows = await session.scalars(
        select(Customer.id).where(Customer.id.in_(ids), Customer.store_id == store_id)
    )
    return set(rows)


async def in_scope(
    session: AsyncSession, customer_id: int, store_id: int | None
) -> Customer | None:
    """The customer, when a manager of ``store_id`` may see them (anyone's when None)."""
    c = await session.get(Customer, customer_id)
    if c is None or (store_id is not None and c.store_id != store_id):
        return None
    return c
