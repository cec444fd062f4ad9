"""What ``/healthz`` asks of the database: a tiny write, and the schema's revision."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import KeyValue
from storage.repos.upsert import inserted

PROBE_KEY = "health:probe"


async def probe_write(session: AsyncSession, now: datetime) -> None:
    """Write one small kv row (as accepting a message would write the ledger)."""
    stamp = now.isoformat()
    done = await session.execute(
        update(KeyValue).where(KeyValue.key == PROBE_KEY).values(value=stamp)
    )
    if not done.rowcount:
        await inserted(session, KeyValue(key=PROBE_KEY, value=stamp, expires_at=None))


async def schema_revision(session: AsyncSession) -> str | None:
    """The Alembic revision the database is at (None: never migrated)."""
    return await session.scalar(text("SELECT version_num FROM alembic_version"))
