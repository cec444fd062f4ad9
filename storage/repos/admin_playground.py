"""Queries for the playground's pickers and its message feed."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ChannelIdentity, Customer, OutboxMessage, Staff, Store


async def mp_people(session: AsyncSession, account: str) -> list[tuple[str, Customer]]:
    """(openid, customer) for every active Official Account identity, by openid."""
    rows = await session.execute(
        select(ChannelIdentity.external_id, Customer)
        .join(Customer, Customer.id == ChannelIdentity.customer_id)
        .where(
            ChannelIdentity.channel == "mp",
            ChannelIdentity.account == account,
            ChannelIdentity.active.is_(True),
        )
        .order_by(ChannelIdentity.external_id)
    )
    return [(o, c) for o, c in rows.all()]


async def staff(session: AsyncSession) -> list[tuple[Staff, Store]]:
    rows = await session.execute(
        select(Staff, Store)
        .join(Store, Store.id == Staff.store_id)
        .where(Staff.active.is_(True))
        .order_by(Staff.wecom_userid)
    )
    return [(s, st) for s, st in rows.all()]


async def feed(
    session: AsyncSession, recipient: str, after_id: int, *, limit: int = 50
) -> list[OutboxMessage]:
    """Messages to ``recipient`` after ``after_id`` that were (or will be) sent."""
    rows = await session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.recipient == recipient,
            OutboxMessage.id > after_id,
            OutboxMessage.status.not_in(("skipped",)),
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    return list(rows)


async def last_id(session: AsyncSession) -> int:
    return int(
        await session.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id.desc()).limit(1))
        or 0
    )


async def tail(session: AsyncSession, recipient: str, n: int = 5) -> list[OutboxMessage]:
    """The last ``n`` messages to ``recipient``, oldest first."""
    rows = await session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.recipient == recipient, OutboxMessage.status.not_in(("skipped",)))
        .order_by(OutboxMessage.id.desc())
        .limit(n)
    )
    return list(reversed(list(rows)))
