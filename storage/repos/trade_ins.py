"""Trade-in requests (以旧换新): the once-per-policy check, creation, listing.

A request carries the number of its visit ticket (``T20261125-0001``): one number for the customer.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import TradeInRequest

CLOSED = ("cancelled", "rejected")


async def subsidised_categories(
    session: AsyncSession, customer_id: int, policy_id: str
) -> set[str]:
    """Categories this customer already had a subsidy for under this policy (live requests)."""
    rows = await session.scalars(
        select(TradeInRequest.new_category).where(
            TradeInRequest.customer_id == customer_id,
            TradeInRequest.policy_id == policy_id,
            TradeInRequest.subsidy_fen > 0,
            TradeInRequest.status.not_in(CLOSED),
        )
    )
    return {c for c in rows if c}


async def by_source_key(session: AsyncSession, source_key: str) -> TradeInRequest | None:
    return await session.scalar(
        select(TradeInRequest).where(TradeInRequest.source_key == source_key)
    )


async def create(session: AsyncSession, **fields: Any) -> TradeInRequest:
    row = TradeInRequest(**fields)
    session.add(row)
    await session.flush()
    return row


async def for_customer(
    session: AsyncSession, customer_id: int, open_only: bool = False
) -> list[TradeInRequest]:
    q = select(TradeInRequest).where(TradeInRequest.customer_id == customer_id)
    if open_only:
        q = q.where(TradeInRequest.status.not_in((*CLOSED, "done")))
    return list(await session.scalars(q.order_by(TradeInRequest.id.desc())))
