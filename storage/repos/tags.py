"""Customer tags: the set-based recompute of automatic tags (one DELETE and one INSERT …
SELECT per rule, whatever the number of customers), manual tags, and the changes waiting
to be synced to WeCom (recorded only for customers linked to a guide in WeCom)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Integer,
    Select,
    String,
    delete,
    exists,
    func,
    insert,
    literal,
    select,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ChannelIdentity, CustomerTag, Tag, TagChange
from storage.types import UTCDateTime


def _insert(session: AsyncSession):
    return pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert


async def ensure(session: AsyncSession, names: list[str], kind: str) -> dict[str, int]:
    """{name: id}, creating missing tags of ``kind``."""
    if not names:
        return {}
    await session.execute(
        _insert(session)(Tag)
        .values([{"name": n, "kind": kind} for n in names])
        .on_conflict_do_nothing(index_elements=["name"])
    )
    rows = await session.execute(select(Tag.name, Tag.id).where(Tag.name.in_(names)))
    return dict(rows.all())


async def by_name(session: AsyncSession, name: str) -> Tag | None:
    return await session.scalar(select(Tag).where(Tag.name == name))


def _wecom_linked(customer_id: Any):
    ci = ChannelIdentity
    return exists().where(
        ci.customer_id == customer_id,
        ci.channel == "work",
        ci.active.is_(True),
        ci.follow_user.is_not(None),
    )


async def recompute(
    session: AsyncSession, tag_id: int, members: Select, now: datetime
) -> tuple[int, int]:
    """Make the tag's holders exactly ``members`` (a SELECT of customer_id). Set-based:
    removed and added holders are logged for the WeCom sync, then one DELETE and one
    INSERT … SELECT. Returns (added, removed)."""
    m = members.subquery("m")
    ct = CustomerTag
    in_members = exists().where(m.c.customer_id == ct.customer_id)
    stamp = literal(now, UTCDateTime())
    gone = select(ct.customer_id, literal(tag_id, Integer), literal("-", String), stamp).where(
        ct.tag_id == tag_id, ~in_members, _wecom_linked(ct.customer_id)
    )
    await session.execute(
        _insert(session)(TagChange).from_select(["customer_id", "tag_id", "op", "created_at"], gone)
    )
    removed = (
        await session.execute(
            delete(ct)
            .where(ct.tag_id == tag_id, ~in_members)
            .execution_options(synchronize_session=False)
        )
    ).rowcount or 0
    new = (
        select(m.c.customer_id)
        .where(~exists().where(ct.tag_id == tag_id, ct.customer_id == m.c.customer_id))
        .distinct()
        .subquery("new")
    )
    await session.execute(
        _insert(session)(TagChange).from_select(
            ["customer_id", "tag_id", "op", "created_at"],
            select(new.c.customer_id, literal(tag_id, Integer), literal("+", String), stamp).where(
                _wecom_linked(new.c.customer_id)
            ),
        )
    )
    src = select(new.c.customer_id, literal(tag_id, Integer), stamp).where(true())
    added = (
        await session.execute(
            _insert(session)(ct)
            .from_select(["customer_id", "tag_id", "created_at"], src)
            .on_conflict_do_nothing(index_elements=["customer_id", "tag_id"])
        )
    ).rowcount or 0
    return int(added), int(removed)


async def no_jit(session: AsyncSession) -> None:
    """PostgreSQL: no JIT for this transaction's few big statements (compiling them costs
    seconds and saves little)."""
    if session.bind.dialect.name == "postgresql":
        await session.execute(text("SET LOCAL jit = off"))


async def refresh_stats(session: AsyncSession) -> None:
    """PostgreSQL: fresh planner statistics for customer_tags after a large change inside
    the recompute's transaction (autovacuum would see them only after the commit), so the
    next rule's anti-joins are not planned for an empty table."""
    if session.bind.dialect.name == "postgresql":
        await session.execute(text("ANALYZE customer_tags"))


async def counts(session: AsyncSession) -> list[tuple[str, str, int]]:
    """(name, kind, holders) for every tag, automatic first, then by name."""
    rows = await session.execute(
        select(Tag.name, Tag.kind, func.count(CustomerTag.customer_id))
        .select_from(Tag)
        .outerjoin(CustomerTag, CustomerTag.tag_id == Tag.id)
        .group_by(Tag.id, Tag.name, Tag.kind)
        .order_by(Tag.kind, Tag.name)
    )
    return [(n, k, int(c)) for n, k, c in rows.all()]


async def for_customer(session: AsyncSession, customer_id: int) -> list[tuple[str, str]]:
    """(name, kind) of the customer's tags, automatic first."""
    rows = await session.execute(
        select(Tag.name, Tag.kind)
        .join(CustomerTag, CustomerTag.tag_id == Tag.id)
        .where(CustomerTag.customer_id == customer_id)
        .order_by(Tag.kind, Tag.name)
    )
    return [(n, k) for n, k in rows.all()]


async def put_on(
    session: AsyncSession, customer_id: int, tag: Tag, staff_id: int | None, now: datetime
) -> bool:
    """A manual tag on a customer; False when they had it already."""
    res = await session.execute(
        _insert(session)(CustomerTag)
        .values(customer_id=customer_id, tag_id=tag.id, by_staff_id=staff_id, created_at=now)
        .on_conflict_do_nothing(index_elements=["customer_id", "tag_id"])
    )
    if not res.rowcount:
        return False
    if await session.scalar(select(_wecom_linked(customer_id))):
        session.add(TagChange(customer_id=customer_id, tag_id=tag.id, op="+", created_at=now))
        await session.flush()
    return True


async def take_off(session: AsyncSession, customer_id: int, tag: Tag, now: datetime) -> bool:
    res = await session.execute(
        delete(CustomerTag).where(
            CustomerTag.customer_id == customer_id, CustomerTag.tag_id == tag.id
        )
    )
    if not res.rowcount:
        return False
    if await session.scalar(select(_wecom_linked(customer_id))):
        session.add(TagChange(customer_id=customer_id, tag_id=tag.id, op="-", created_at=now))
        await session.flush()
    return True


async def pending_changes(session: AsyncSession, limit: int = 5000) -> list[Any]:
    """Unsynced changes, oldest first, with where they go: (id, customer_id, op, tag name,
    external_userid, follow_user); the last two are None when the customer is no longer
    linked in WeCom (nothing to sync)."""
    ci = ChannelIdentity
    rows = await session.execute(
        select(
            TagChange.id,
            TagChange.customer_id,
            TagChange.op,
            Tag.name,
            ci.external_id,
            ci.follow_user,
        )
        .join(Tag, Tag.id == TagChange.tag_id)
        .outerjoin(  # a change whose contact has gone since comes back without one
            ci,
            (ci.customer_id == TagChange.customer_id)
            & (ci.channel == "work")
            & ci.active.is_(True)
            & ci.follow_user.is_not(None),
        )
        .order_by(TagChange.id)
        .limit(limit)
    )
    return list(rows.all())


async def drop_changes(session: AsyncSession, up_to_id: int) -> int:
    res = await session.execute(delete(TagChange).where(TagChange.id <= up_to_id))
    return int(res.rowcount or 0)


async def set_wecom_ids(session: AsyncSession, ids: dict[str, str]) -> None:
    for name, wid in ids.items():
        tag = await by_name(session, name)
        if tag is not None:
            tag.wecom_id = wid
    await session.flush()


async def wecom_ids(session: AsyncSession, names: list[str]) -> dict[str, str | None]:
    rows = await session.execute(select(Tag.name, Tag.wecom_id).where(Tag.name.in_(names)))
    return dict(rows.all())


async def find_customer(session: AsyncSession, term: str):
    """The customer with this phone, or with this openid / external_userid."""
    from storage.models import Customer

    found = await session.scalar(select(Customer).where(Customer.phone == term))
    if found is not None:
        return found
    cid = await session.scalar(
        select(ChannelIdentity.customer_id).where(ChannelIdentity.external_id == term).limit(1)
    )
    return await session.get(Customer, cid) if cid is not None else None


async def queue_syncs(session: AsyncSession, values: list[dict[str, Any]], now: datetime) -> int:
    """Outbox rows (channel ``work_tag``) in one INSERT; each dict: customer_id,
    external_userid, text, payload."""
    from storage.models import OutboxMessage

    if not values:
        return 0
    await session.execute(
        insert(OutboxMessage),
        [
            {
                "customer_id": v["customer_id"],
                "channel": "work_tag",
                "recipient": v["external_userid"],
                "kind": "notice",
                "rule": "tag_sync",
                "text": v["text"],
                "payload": v["payload"],
                "status": "pending",
                "attempts": 0,
                "not_before": now,
                "sandbox": False,
                "created_at": now,
            }
            for v in values
        ],
    )
    return len(values)
