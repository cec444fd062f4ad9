"""Inbound message ledger: each message claimed once by its dedup key, its reply kept for retries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.driver import driver, placeholders
from storage.models import InboundMessage

_CLAIM = (
    "INSERT INTO inbound_messages"
    " (dedup_key, channel, from_user, msg_type, text, status, received_at, owner) VALUES {}"
    " ON CONFLICT (dedup_key) DO NOTHING RETURNING dedup_key"
)
_CLAIM_CHUNK = 500  # rows per statement: 4,000 values, under every driver's limit


async def claim_many(session: AsyncSession, rows: list[dict[str, Any]]) -> set[str]:
    """Insert many messages as ``processing`` in one statement; the keys that were new.

    ``rows``: dicts with dedup_key, channel, from_user, msg_type, received_at (and
    optionally text, owner). A key already there (a retry) is left alone and not returned.
    Every message runs this: on the driver's connection (storage/driver.py).
    """
    if not rows:
        return set()
    db = await driver(session)
    new: set[str] = set()
    for start in range(0, len(rows), _CLAIM_CHUNK):
        chunk = rows[start : start + _CLAIM_CHUNK]
        values: list[Any] = []
        for r in chunk:
            values += (
                r["dedup_key"],
                r["channel"],
                r["from_user"],
                r["msg_type"][:32],
                r.get("text"),
                "processing",
                db.time(r["received_at"]),
                r.get("owner"),
            )
        sql = _CLAIM.format(placeholders(len(chunk), 8))
        new.update(key for (key,) in await db.fetch(sql, values))
    return new


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


_FINISH = (
    "UPDATE inbound_messages SET status = 'done', reply = ?, intent = ?"
    " WHERE dedup_key = ? AND status = 'processing'"
)


async def finish_many(
    session: AsyncSession, done: list[tuple[str, str | None, str | None]]
) -> None:
    """``processing`` → ``done`` for many ``(dedup_key, reply, intent)`` at once (on the
    driver's connection, like :func:`claim_many`)."""
    if not done:
        return
    db = await driver(session)
    await db.execute_many(_FINISH, [(r, i, k) for k, r, i in done])


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
