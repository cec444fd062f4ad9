"""Dialog sessions in the database: one row per conversation (user_key), JSON state."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ConversationSession


async def load(session: AsyncSession, user_key: str, now: datetime) -> dict[str, Any] | None:
    """The state, or ``None`` when there is none or it has expired."""
    return loaded(session, user_key, await session.get(ConversationSession, user_key), now)


def loaded(
    session: AsyncSession, user_key: str, row: ConversationSession | None, now: datetime
) -> dict[str, Any] | None:
    """The state of a row read in this transaction (or None: no row), like :func:`load`."""
    # keep the row (or its absence) for save() in this transaction: no second SELECT
    session.info.setdefault("dialog_sessions", {})[user_key] = row
    if row is None or row.expires_at <= now:
        return None
    return copy.deepcopy(row.state or {})  # never the row's own JSON: edits must show as changes


async def save(
    session: AsyncSession,
    user_key: str,
    state: dict[str, Any],
    now: datetime,
    expires_at: datetime,
) -> None:
    known = session.info.setdefault("dialog_sessions", {})
    row = known[user_key] if user_key in known else await session.get(ConversationSession, user_key)
    if row is None:
        row = ConversationSession(
            user_key=user_key, state=dict(state), updated_at=now, expires_at=expires_at
        )
        session.add(row)
        known[user_key] = row
    else:
        row.state = copy.deepcopy(state)
        row.updated_at = now
        row.expires_at = expires_at
    await session.flush()


_UPDATE = (
    update(ConversationSession.__table__)
    .where(ConversationSession.__table__.c.user_key == bindparam("key"))
    .values(
        state=bindparam("state"),
        updated_at=bindparam("updated_at"),
        expires_at=bindparam("expires_at"),
    )
)
_INSERT = insert(ConversationSession.__table__)


async def save_many(
    session: AsyncSession, states: list[tuple[str, dict[str, Any], datetime]], now: datetime
) -> None:
    """Save many conversations at once: ``(user_key, state, expires_at)`` each, read in this
    transaction (see :func:`loaded`): one statement for those with a row, one for new ones."""
    await session.flush()  # changes made through the ORM land first; these states are newer
    known = session.info.setdefault("dialog_sessions", {})
    read = [(k, s, e) for k, s, e in states if k in known]
    for k, s, e in states:
        if k not in known:  # not read here: let save() look for its row
            await save(session, k, s, now, e)
    old = [
        {"key": k, "state": copy.deepcopy(s), "updated_at": now, "expires_at": e}
        for k, s, e in read
        if known[k] is not None
    ]
    new = [
        {"user_key": k, "state": copy.deepcopy(s), "updated_at": now, "expires_at": e}
        for k, s, e in read
        if known[k] is None
    ]
    if old:
        await session.execute(_UPDATE, old)
    if new:
        await session.execute(_INSERT, new)
    for k, _, _ in read:
        known.pop(k, None)  # the ORM's copy is stale now: a later save reads the row again


async def delete_one(session: AsyncSession, user_key: str) -> None:
    session.info.get("dialog_sessions", {}).pop(user_key, None)
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
