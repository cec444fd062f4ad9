"""The ``processes`` table: who is running, and when each last said so."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import InboundMessage, ProcessBeat
from storage.repos.upsert import inserted


async def beat(session: AsyncSession, pid: str, host: str, os_pid: int, now: datetime) -> None:
    """Say this process is alive (registering it the first time)."""
    done = await session.execute(
        update(ProcessBeat).where(ProcessBeat.id == pid).values(heartbeat_at=now, stopped_at=None)
    )
    if not done.rowcount:
        row = ProcessBeat(id=pid, host=host, pid=os_pid, started_at=now, heartbeat_at=now)
        await inserted(session, row)


async def stop(session: AsyncSession, pid: str, now: datetime) -> None:
    await session.execute(update(ProcessBeat).where(ProcessBeat.id == pid).values(stopped_at=now))


async def get(session: AsyncSession, pid: str) -> ProcessBeat | None:
    return await session.get(ProcessBeat, pid)


async def gone_since(session: AsyncSession, beat_before: datetime) -> list[ProcessBeat]:
    """Processes stopped, or silent since ``beat_before``."""
    q = select(ProcessBeat).where(
        (ProcessBeat.stopped_at.is_not(None)) | (ProcessBeat.heartbeat_at < beat_before)
    )
    return list(await session.scalars(q))


async def abandon_messages(
    session: AsyncSession, owners: list[str], received_before: datetime
) -> int:
    """``processing`` rows of gone processes that no retry took over → ``lost`` (for a person)."""
    if not owners:
        return 0
    done = await session.execute(
        update(InboundMessage)
        .where(
            InboundMessage.owner.in_(owners),
            InboundMessage.status == "processing",
            InboundMessage.received_at < received_before,
        )
        .values(status="lost")
    )
    return done.rowcount or 0


async def forget(session: AsyncSession, ids: list[str]) -> None:
    if ids:
        await session.execute(delete(ProcessBeat).where(ProcessBeat.id.in_(ids)))
