"""Dialog sessions in the database: one row per conversation (user_key), JSON state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ConversationSession


async def load(session: AsyncSession, user_key: str, now: datetime) -> dict[str, Any] | None:
    """The state, or ``None`` when there is none or it has expired."""
    row = await session.get(ConversationSession, user_key)
    if row is None or row.expires_at <= now:
        return None
    return dict(row.state or {})


async def save(
    session: AsyncSession,
    user_key: str,
    state: dict[str, Any],
    now: datetime,
    expires_at: datetime,
) -> None:
    row = await session.get(ConversationSession, user_key)
    if row is None:
        session.add(
            ConversationSession(
                user_key=user_key, state=state, updated_at=now, expires_at=expires_at
            )
        )
    else:
        row.state = dict(state)
        row.updated_at = now
        row.expires_at = expires_at
    await session.flush()


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
