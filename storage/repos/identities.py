"""Who is writing: channel identities (MP openid/unionid, WeCom external_userid) → customers."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ChannelIdentity, Customer


async def find(
    session: AsyncSession, channel: str, account: str, external_id: str
) -> ChannelIdentity | None:
    return await session.scalar(
        select(ChannelIdentity).where(
            ChannelIdentity.channel == channel,
            ChannelIdentity.account == account,
            ChannelIdentity.external_id == external_id,
        )
    )


async def customer_for(
    session: AsyncSession,
    channel: str,
    account: str,
    external_id: str,
    *,
    unionid: str | None = None,
    source: str | None = None,
) -> Customer:
    """The customer behind this identity, created (or linked by unionid) on first contact."""
    ident = await find(session, channel, account, external_id)
    if ident is not None:
        if unionid and not ident.unionid:
            ident.unionid = unionid
        return await session.get_one(Customer, ident.customer_id)
    customer: Customer | None = None
    if unionid:
        other = await session.scalar(
            select(ChannelIdentity).where(ChannelIdentity.unionid == unionid).limit(1)
        )
        if other is not None:
            customer = await session.get_one(Customer, other.customer_id)
    if customer is None:
        customer = Customer(source=source or channel)
        session.add(customer)
        await session.flush()
    session.add(
        ChannelIdentity(
            customer_id=customer.id,
            channel=channel,
            account=account,
            external_id=external_id,
            unionid=unionid,
        )
    )
    await session.flush()
    return customer


async def for_customer(
    session: AsyncSession, customer_id: int, channel: str | None = None
) -> list[ChannelIdentity]:
    q = select(ChannelIdentity).where(ChannelIdentity.customer_id == customer_id)
    if channel:
        q = q.where(ChannelIdentity.channel == channel)
    return list(await session.scalars(q.order_by(ChannelIdentity.id)))


async def openid_of(session: AsyncSession, customer_id: int) -> str | None:
    return await session.scalar(
        select(ChannelIdentity.external_id)
        .where(ChannelIdentity.customer_id == customer_id, ChannelIdentity.channel == "mp")
        .order_by(ChannelIdentity.id)
        .limit(1)
    )
