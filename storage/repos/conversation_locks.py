"""One turn at a time per conversation, across processes (PostgreSQL advisory locks).

The dialog takes, at the start of a batch's transaction, a transaction-scoped advisory lock
per conversation in the batch, in one statement and in sorted order (two batches that
share conversations can never wait for each other in a circle). A second process's turn of
the same conversation waits until the first commits, then reads the session it saved —
also when sessions live in Redis, as a turn saves its session before its transaction commits.
SQLite: one process writes at a time on one file; nothing to take here.
"""

from __future__ import annotations

import hashlib

from sqlalchemy.ext.asyncio import AsyncSession

from storage.driver import driver

# every batch of turns runs this: on the driver's connection (storage/driver.py)
_LOCK = "SELECT pg_advisory_xact_lock(k) FROM unnest(CAST(? AS bigint[])) AS k"


def lock_id(conversation: str) -> int:
    """A stable signed 64-bit id for a conversation key (its advisory lock)."""
    digest = hashlib.blake2b(conversation.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


async def hold(session: AsyncSession, conversations: list[str]) -> None:
    """Lock these conversations until the session's transaction ends (PostgreSQL)."""
    if not conversations or session.bind.dialect.name != "postgresql":
        return
    db = await driver(session)
    await db.execute(_LOCK, [sorted({lock_id(c) for c in conversations})])
