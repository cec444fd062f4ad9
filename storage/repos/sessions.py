"""Dialog sessions in the database: one row per conversation (user_key), JSON state."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.driver import Driver, driver
from storage.models import ConversationSession


@dataclass(frozen=True)
class Stored:
    """A conversation's row as read: its state (a fresh dict, the caller's own) and expiry."""

    state: dict[str, Any] | None
    expires_at: datetime

    @classmethod
    def read(cls, db: Driver, state: Any, expires_at: Any) -> Stored:
        """The row from the columns as the driver gave them."""
        return cls(state_from_json(state), db.read_time(expires_at))


_READ = "SELECT state, expires_at FROM conversation_sessions WHERE user_key = ?"
# one statement saves a conversation whether or not it has a row yet (SQLite and PostgreSQL)
_UPSERT = (
    "INSERT INTO conversation_sessions (user_key, state, updated_at, expires_at)"
    " VALUES (?, ?, ?, ?) ON CONFLICT (user_key) DO UPDATE SET state = excluded.state,"
    " updated_at = excluded.updated_at, expires_at = excluded.expires_at"
)


async def load(session: AsyncSession, user_key: str, now: datetime) -> dict[str, Any] | None:
    """The state, or ``None`` when there is none or it has expired."""
    db = await driver(session)
    rows = await db.fetch(_READ, [user_key])
    if not rows:
        return None
    state, expires_at = rows[0]
    return loaded(Stored.read(db, state, expires_at), now)


def loaded(stored: Stored | None, now: datetime) -> dict[str, Any] | None:
    """The state of a row read (None: no row, or expired), like :func:`load`."""
    if stored is None or stored.expires_at <= now:
        return None
    return stored.state if stored.state is not None else {}


async def save(
    session: AsyncSession,
    user_key: str,
    state: dict[str, Any],
    now: datetime,
    expires_at: datetime,
) -> None:
    await save_many(session, [(user_key, state, expires_at)], now)


async def save_many(
    session: AsyncSession, states: list[tuple[str, dict[str, Any], datetime]], now: datetime
) -> None:
    """Save many conversations at once, ``(user_key, state, expires_at)`` each: one
    statement, whether they have a row yet or not. Every message runs this: on the
    driver's connection (storage/driver.py), each state written as JSON text at once
    (nothing keeps a reference to it). Changes made through the ORM are flushed first."""
    if not states:
        return
    db = await driver(session)
    at = db.time(now)
    await db.execute_many(_UPSERT, [(k, _json(s), at, db.time(e)) for k, s, e in states])


def _json(state: dict[str, Any]) -> str:
    return json.dumps(state, ensure_ascii=False, separators=(",", ":"))


def state_from_json(value: Any) -> dict[str, Any] | None:
    """A state column as the driver gives it (JSON text, or already decoded) as a dict."""
    return json.loads(value) if isinstance(value, str | bytes) else value


async def delete_one(session: AsyncSession, user_key: str) -> None:
    await session.execute(
        delete(ConversationSession).where(ConversationSession.user_key == user_key)
    )


async def purge_expired(session: AsyncSession, now: datetime) -> int:
    result = await session.execute(
        delete(ConversationSession).where(ConversationSession.expires_at <= now)
    )
    return int(result.rowcount or 0)


async def all_keys(session: AsyncSession) -> list[str]:
    return list(await session.scalars(select(ConversationSession.user_key)))
