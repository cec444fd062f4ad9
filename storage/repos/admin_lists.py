"""Admin console queries: trade-ins, consumable orders and sales leads."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import ConsumableOrder, Customer, SalesLead, Staff, Store, TradeInRequest
from storage.repos import store_scope


async def trade_ins(
    session: AsyncSession, *, limit: int = 200, store_id: int | None = None
) -> list[tuple[TradeInRequest, Customer]]:
    q = (
        select(TradeInRequest, Customer)
        .join(Customer, Customer.id == TradeInRequest.customer_id)
        .order_by(TradeInRequest.id.desc())
        .limit(limit)
    )
    rows = await session.execute(store_scope.by_store(q, Customer.store_id, store_id))
    return [(t, c) for t, c in rows.all()]


async def orders(
    session: AsyncSession, *, limit: int = 200, store_id: int | None = None
) -> list[tuple[ConsumableOrder, Customer]]:
    q = (
        select(ConsumableOrder, Customer)
        .join(Customer, Customer.id == ConsumableOrder.customer_id)
        .order_by(ConsumableOrder.id.desc())
        .limit(limit)
    )
    rows = await session.execute(store_scope.by_store(q, Customer.store_id, store_id))
    return [(o, c) for o, c in rows.all()]


async def leads(
    session: AsyncSession, *, limit: int = 200, store_id: int | None = None
) -> list[tuple[SalesLead, Store, Staff | None, Customer | None]]:
    guide = aliased(Staff)
    q = (
        select(SalesLead, Store, guide, Customer)
        .join(Store, Store.id == SalesLead.store_id)
        .outerjoin(guide, guide.id == SalesLead.guide_id)
        .outerjoin(Customer, Customer.id == SalesLead.customer_id)
        .order_by(SalesLead.id.desc())
        .limit(limit)
    )
    rows = await session.execute(store_scope.by_store(q, SalesLead.store_id, store_id))
    return [(lead, s, g, c) for lead, s, g, c in rows.all()]


async def in_store(session: AsyncSession, row: object, store_id: int | None) -> bool:
    """Whether a trade-in, an order or a lead is one a manager of ``store_id`` may touch."""
    if store_id is None:
        return True
    if isinstance(row, SalesLead):
        return row.store_id == store_id
    customer = await session.get(Customer, row.customer_id)  # type: ignore[attr-defined]
    return customer is not None and customer.store_id == store_id
