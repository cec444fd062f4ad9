"""Admin console queries: trade-ins, consumable orders and sales leads."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import ConsumableOrder, Customer, SalesLead, Staff, Store, TradeInRequest


async def trade_ins(
    session: AsyncSession, *, limit: int = 200
) -> list[tuple[TradeInRequest, Customer]]:
    rows = await session.execute(
        select(TradeInRequest, Customer)
        .join(Customer, Customer.id == TradeInRequest.customer_id)
        .order_by(TradeInRequest.id.desc())
        .limit(limit)
    )
    return [(t, c) for t, c in rows.all()]


async def orders(
    session: AsyncSession, *, limit: int = 200
) -> list[tuple[ConsumableOrder, Customer]]:
    rows = await session.execute(
        select(ConsumableOrder, Customer)
        .join(Customer, Customer.id == ConsumableOrder.customer_id)
        .order_by(ConsumableOrder.id.desc())
        .limit(limit)
    )
    return [(o, c) for o, c in rows.all()]


async def leads(
    session: AsyncSession, *, limit: int = 200
) -> list[tuple[SalesLead, Store, Staff | None, Customer | None]]:
    guide = aliased(Staff)
    rows = await session.execute(
        select(SalesLead, Store, guide, Customer)
        .join(Store, Store.id == SalesLead.store_id)
        .outerjoin(guide, guide.id == SalesLead.guide_id)
        .outerjoin(Customer, Customer.id == SalesLead.customer_id)
        .order_by(SalesLead.id.desc())
        .limit(limit)
    )
    return [(lead, s, g, c) for lead, s, g, c in rows.all()]
