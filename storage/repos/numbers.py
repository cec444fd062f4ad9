"""Per-day document numbers (「R20261204-0007」) that concurrent transactions take without
waiting for each other.

A number is ``<stem><NNNN>``; the sequence restarts with every stem (a prefix and a local
day). SQLite has one writer at a time: the next number is the largest taken + 1, read in
the writer's own transaction. PostgreSQL runs several batches of turns at once (several
web processes, several batch workers in each): there ``largest + 1`` in each transaction
gave two bookings the same number, and the later insert waited on the unique index for
the earlier transaction to commit before it failed and tried again, so batches queued
behind each other (``scripts/bench_load.py --workers 2``). There a counter row per stem is
advanced in a short transaction of its own, committed at once: no two callers get the
same number and nobody waits for another's batch. A number whose booking is rolled back
is skipped (a gap in the day's numbers), never given twice.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

# the counter follows the numbers already taken (rows written before it, or by an import)
_TAKE = text(
    "INSERT INTO number_counters (stem, last) VALUES (:stem, :start)"
    " ON CONFLICT (stem) DO UPDATE"
    " SET last = GREATEST(number_counters.last + 1, EXCLUDED.last) RETURNING last"
)


async def next_number(session: AsyncSession, stem: str, column: Any) -> int:
    """The next number for ``stem`` in ``column`` (a table's unique number column): one
    more than the largest already taken there, as ``session`` sees it, or on PostgreSQL
    the counter's next, whichever is higher."""
    largest = await session.scalar(select(func.max(column)).where(column.startswith(stem)))
    start = _sequence_of(largest) + 1
    engine = session.bind
    if not isinstance(engine, AsyncEngine) or engine.dialect.name != "postgresql":
        return start  # SQLite: one writer at a time, in this very transaction
    async with engine.connect() as conn, conn.begin():  # its own transaction, committed now
        return int(await conn.scalar(_TAKE, {"stem": stem, "start": start}))


def _sequence_of(number: str | None) -> int:
    """The sequence part of a number (0 for none or a malformed one)."""
    if not number:
        return 0
    try:
        return int(number.rsplit("-", 1)[1])
    except (IndexError, ValueError):
        return 0
