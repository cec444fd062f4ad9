"""The ``admin_sessions`` table: open, find, touch, list and end admin console sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AdminSession


async def add(session: AsyncSession, row: AdminSession) -> None:
    session.add(row)
    await session.flush()


async def by_token(
    session: AsyncSession, token_hash: str, password_tag: str, now: datetime
) -> AdminSession | None:
    """The live session with this token, opened under the current password."""
    return await session.scalar(
        select(AdminSession).where(
            AdminSession.token_hash == token_hash,
            AdminSession.password_tag == password_tag,
            AdminSession.expires_at > now,
        )
    )


async def touch(session: AsyncSession, session_id: str, now: datetime) -> None:
    await session.execute(
        update(AdminSession).where(AdminSession.id == session_id).values(last_seen=now)
    )


async def active(session: AsyncSession, password_tag: str, now: datetime) -> list[AdminSession]:
    """Live sessions, most recently seen first."""
    rows = await session.scalars(
        select(AdminSession)
        .where(AdminSession.password_tag == password_tag, AdminSession.expires_at > now)
        .order_by(AdminSession.last_seen.desc(), AdminSession.id)
    )
    return list(rows)


async def end(
    session: AsyncSession, *, session_id: str | None = None, token_hash: str | None = None
) -> int:
    """End one session (by id or by token). Returns how many rows went."""
    q = delete(AdminSession)
    if session_id is not None:
        q = q.where(AdminSession.id == session_id)
    elif token_hash is not None:
        q = q.where(AdminSession.token_hash == token_hash)
    else:
        return 0
    return (await session.execute(q)).rowcount or 0


async def purge(session: AsyncSession, password_tag: str, now: datetime) -> int:
    """Forget expired sessions and those opened under another password."""
    result = await session.execute(
        delete(AdminSession).where(
            or_(AdminSession.password_tag != password_tag, AdminSession.expires_at <= now)
        )
    )
    return result.rowcount or 0


async def end_user(session: AsyncSession, username: str) -> int:
    """Delete every session of ``username``; how many there were."""
    result = await session.execute(delete(AdminSession).where(AdminSession.username == username))
    return result.rowcount or 0
