"""The ``kv`` table: small shared state (access tokens) and simple cross-process locks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import KeyValue
from storage.repos.upsert import inserted


async def get(session: AsyncSession, key: str, now: datetime) -> tuple[str, datetime | None] | None:
    """``(value, expires_at)`` under ``key`` unless it has expired."""
    row = (
        await session.execute(
            select(KeyValue.value, KeyValue.expires_at).where(KeyValue.key == key)
        )
    ).first()
    if row is None or (row.expires_at is not None and row.expires_at <= now):
        return None
    return row.value, row.expires_at


async def put(session: AsyncSession, key: str, value: str, expires_at: datetime | None) -> None:
    row = await session.get(KeyValue, key)
    if row is None:
        session.add(KeyValue(key=key, value=value, expires_at=expires_at))
    else:
        row.value = value
        row.expires_at = expires_at
    await session.flush()


async def remove(session: AsyncSession, key: str, value: str | None = None) -> None:
    q = delete(KeyValue).where(KeyValue.key == key)
    if value is not None:
        q = q.where(KeyValue.value == value)
    await session.execute(q)


async def try_lock(
    session: AsyncSession, key: str, owner: str, now: datetime, until: datetime
) -> bool:
    """Take the lock ``key`` for ``owner`` until ``until``; an expired lock is taken over.
    Commit the session to make it visible. Inserting a primary key is atomic on both
    SQLite and PostgreSQL, so only one process wins."""
    await session.execute(delete(KeyValue).where(KeyValue.key == key, KeyValue.expires_at <= now))
    return await inserted(session, KeyValue(key=key, value=owner, expires_at=until))


async def holder(session: AsyncSession, key: str) -> str | None:
    return await session.scalar(select(KeyValue.value).where(KeyValue.key == key))


async def renew(session: AsyncSession, key: str, owner: str, until: datetime) -> bool:
    """Extend ``owner``'s lock ``key`` to ``until``; False when it is no longer theirs."""
    from sqlalchemy import update

    done = await session.execute(
        update(KeyValue)
        .where(KeyValue.key == key, KeyValue.value == owner)
        .values(expires_at=until)
    )
    return bool(done.rowcount)
