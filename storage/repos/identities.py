"""Who is writing: channel identities (MP openid/unionid, WeCom external_userid) → customers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.driver import driver, placeholders
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
    known = await session.scalar(
        select(Customer)
        .join(ChannelIdentity, ChannelIdentity.customer_id == Customer.id)
        .where(
            ChannelIdentity.channel == channel,
            ChannelIdentity.account == account,
            ChannelIdentity.external_id == external_id,
        )
    )
    if known is not None and not unionid:
        return known  # the common case: one query
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


_IDENTITIES = (
    "SELECT external_id, customer_id FROM channel_identities"
    " WHERE channel = ? AND account = ? AND external_id IN ({})"
)
_TOUCH = "UPDATE customers SET last_inbound_at = ? WHERE id IN ({})"
# PostgreSQL: the look-up and the update in one round trip (SQLite's RETURNING cannot name
# the joined table, and costs no round trip anyway)
_TOUCH_RETURNING = (
    "UPDATE customers SET last_inbound_at = ? FROM channel_identities ci"
    " WHERE ci.customer_id = customers.id AND ci.channel = ? AND ci.account = ?"
    " AND ci.external_id IN ({}) RETURNING ci.external_id, customers.id"
)


async def touch_customers(
    session: AsyncSession, channel: str, account: str, external_ids: list[str], at: datetime
) -> dict[str, int]:
    """Set ``last_inbound_at`` of the customers behind these identities (one statement on
    PostgreSQL when all are known, two on SQLite, however many; every message runs them, on
    the driver's connection: storage/driver.py).
    Returns {external_id: customer_id} for the known ones; new identities are missing
    (create them with :func:`customer_for`)."""
    wanted = list(dict.fromkeys(external_ids))
    if not wanted:
        return {}
    db = await driver(session)
    touched: dict[str, int] = {}
    if db.kind == "postgresql":
        sql = _TOUCH_RETURNING.format(placeholders(len(wanted)))
        touched = {
            ext: cid for ext, cid in await db.fetch(sql, [db.time(at), channel, account, *wanted])
        }
        # the rest: new writers, or two of them behind one customer (updated, returned once)
        wanted = [ext for ext in wanted if ext not in touched]
        if not wanted:
            return touched
    rows = await db.fetch(
        _IDENTITIES.format(placeholders(len(wanted))), [channel, account, *wanted]
    )
    found = {ext: cid for ext, cid in rows}
    if found and db.kind != "postgresql":  # PostgreSQL touched these customers already
        ids = sorted(set(found.values()))
        await db.execute(_TOUCH.format(placeholders(len(ids))), [db.time(at), *ids])
    return touched | found


async def create_customers(
    session: AsyncSession, channel: str, account: str, external_ids: list[str], at: datetime
) -> dict[str, int]:
    """A new customer for each of these new identities (no unionid to link), written with
    one multi-row INSERT for the customers and one for the identities. Returns
    {external_id: customer_id}. Two processes creating the same identity at once: the
    unique constraint fails this transaction, and the caller tries again one by one."""
    ids = list(dict.fromkeys(external_ids))
    customers = [Customer(source=channel, last_inbound_at=at) for _ in ids]
    session.add_all(customers)
    await session.flush()
    session.add_all(
        ChannelIdentity(customer_id=c.id, channel=channel, account=account, external_id=ext)
        for ext, c in zip(ids, customers, strict=True)
    )
    await session.flush()
    return {ext: c.id for ext, c in zip(ids, customers, strict=True)}


async def link_unionid(
    session: AsyncSession, channel: str, account: str, external_id: str, unionid: str
) -> int | None:
    """Record the unionid of an identity. When another identity with that unionid belongs
    to another customer and ours is a bare record made at follow time (no name, no phone),
    the identity moves to that customer (keeping a QR-scene attribution it lacked).
    Returns the customer id now behind the identity (None: identity unknown)."""
    ident = await find(session, channel, account, external_id)
    if ident is None:
        return None
    ident.unionid = unionid
    other = await session.scalar(
        select(ChannelIdentity)
        .where(
            ChannelIdentity.unionid == unionid,
            ChannelIdentity.customer_id != ident.customer_id,
        )
        .order_by(ChannelIdentity.id)
        .limit(1)
    )
    if other is None:
        return ident.customer_id
    mine = await session.get_one(Customer, ident.customer_id)
    if mine.name or mine.phone:
        return ident.customer_id  # two real records: leave merging to a person
    target = await session.get_one(Customer, other.customer_id)
    target.store_id = target.store_id or mine.store_id
    target.guide_id = target.guide_id or mine.guide_id
    target.followed, target.unsubscribed_at = mine.followed, mine.unsubscribed_at
    if mine.last_inbound_at and (
        target.last_inbound_at is None or target.last_inbound_at < mine.last_inbound_at
    ):
        target.last_inbound_at = mine.last_inbound_at
    ident.customer_id = target.id
    await session.flush()
    return target.id
