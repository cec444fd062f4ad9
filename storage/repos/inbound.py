"""Inbound message ledger: each message claimed once by its dedup key, its reply kept for retries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import InboundMessage


def _insert(session: AsyncSession):
    table = InboundMessage.__table__
    if session.bind.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


async def claim_many(session: AsyncSession, rows: list[dict[str, Any]]) -> set[str]:
    """Insert many messages as ``processing`` in one statement; the keys that were new.

    ``rows``: dicts with dedup_key, channel, from_user, msg_type, received_at. A key
    already there (a retry) is left alone and not returned.
    """
    if not rows:
        return set()
    values = [{**r, "msg_type": r["msg_type"][:32], "status": "processing"} for r in rows]
    stmt = (
        _insert(session)
        .on_conflict_do_nothing(index_elements=["dedup_key"])
        .returning(InboundMessage.__table__.c.dedup_key)
    )
    # executemany with RETURNING: SQLAlchemy batches it as one multi-row INSERT per chunk
    return set((await session.execute(stmt, values)).scalars())


async def claim(
    session: AsyncSession,
    *,
    dedup_key: str,
    channel: str,
    from_user: str,
    msg_type: str,
    received_at: datetime,
) -> bool:
    """Insert the message as ``processing``. False when the key is already there (a retry)."""
    row = {
        "dedup_key": dedup_key,
        "channel": channel,
        "from_user": from_user,
        "msg_type": msg_type,
        "received_at": received_at,
    }
    return dedup_key in await claim_many(session, [row])


async def finish_many(
    session: AsyncSession, done: list[tuple[str, str | None, str | None]]
) -> None:
    """``processing`` → ``done`` for many ``(dedup_key, reply, intent)`` at once."""
    if not done:
        return
    t = InboundMessage.__table__
    stmt = (
        update(t)
        .where(t.c.dedup_key == bindparam("k"), t.c.status == "processing")
        .values(status="done", reply=bindparam("r"), intent=bindparam("i"))
    )
    await session.execute(stmt, [{"k": k, "r": r, "i": i} for k, r, i in done])


async def get(session: AsyncSession, dedup_key: str) -> InboundMessage | None:
    return await session.scalar(select(InboundMessage).where(InboundMessage.dedup_key == dedup_key))


async def state(session: AsyncSession, dedup_key: str) -> tuple[str, str | None] | None:
    """``(status, reply)`` of the message, or None when unknown."""
    row = (
        await session.execute(
            select(InboundMessage.status, InboundMessage.reply).where(
                InboundMessage.dedup_key == dedup_key
            )
        )
    ).first()
    return (row[0], row[1]) if row else None


async def finish(
    session: AsyncSession, dedup_key: str, *, reply: str | None, intent: str | None
) -> bool:
    """``processing`` → ``done`` with its reply. False when the message already went ``late``."""
    result = await session.execute(
        update(InboundMessage)
        .where(InboundMessage.dedup_key == dedup_key, InboundMessage.status == "processing")
        .values(status="done", reply=reply, intent=intent)
    )
    return bool(result.rowcount)


async def mark_late(session: AsyncSession, dedup_key: str) -> bool:
    """``processing`` → ``late``: the reply will go by customer-service message, retries get nothing."""
    result = await session.execute(
        update(InboundMessage)
        .where(InboundMessage.dedup_key == dedup_key, InboundMessage.status == "processing")
        .values(status="late")
    )
    return bool(result.rowcount)


async def record_late_reply(
    session: AsyncSession, dedup_key: str, *, reply: str | None, intent: str | None
) -> None:
    """Keep the reply that was sent late, for the record (status stays ``late``)."""
    await session.execute(
        update(InboundMessage)
        .where(InboundMessage.dedup_key == dedup_key)
        .values(reply=reply, intent=intent)
    )


async def owner_of(
    session: AsyncSession, dedup_key: str
) -> tuple[str, str | None, datetime] | None:
    """``(status, owner, received_at)`` of the message, or None when unknown."""
    m = InboundMessage
    row = (
        await session.execute(
            select(m.status, m.owner, m.received_at).where(m.dedup_key == dedup_key)
        )
    ).first()
    return (row[0], row[1], row[2]) if row else None


async def take_over(
    session: AsyncSession, dedup_key: str, *, owner: str | None, new_owner: str, now: datetime
) -> bool:
    """Claim a message still ``processing`` for ``owner`` (gone) for ``new_owner``; False when
    another retry was first."""
    m = InboundMessage
    same_owner = m.owner.is_(None) if owner is None else m.owner == owner
    result = await session.execute(
        update(m)
        .where(m.dedup_key == dedup_key, m.status == "processing", same_owner)
        .values(received_at=now, owner=new_owner)
    )
    return bool(result.rowcount)


async def release(session: AsyncSession, dedup_key: str) -> None:
    """Give a claim back (its turn could not be stored): the next attempt claims it anew."""
    await release_many(session, [dedup_key])


async def release_many(session: AsyncSession, keys: list[str]) -> None:
    if not keys:
        return
    await session.execute(
        delete(InboundMessage).where(
            InboundMessage.dedup_key.in_(keys), InboundMessage.status == "processing"
        )
    )


async def recent_texts(
    session: AsyncSession,
    from_user: str,
    *,
    since: datetime,
    limit: int = 3,
    exclude_key: str | None = None,
) -> list[str]:
    """What ``from_user`` last wrote (newest first), since ``since``: for a person taking
    over the chat."""
    q = (
        select(InboundMessage.text)
        .where(
            InboundMessage.from_user == from_user,
            InboundMessage.received_at >= since,
            InboundMessage.text.is_not(None),
        )
        .order_by(InboundMessage.id.desc())
        .limit(limit + 1)
    )
    if exclude_key:
        q = q.where(InboundMessage.dedup_key != exclude_key)
    return [t for t in (await session.scalars(q)) if t][:limit]
