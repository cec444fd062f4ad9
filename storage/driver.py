"""The few statements every message runs, on the database driver's own connection.

SQLAlchemy builds, compiles and caches a statement, binds its values through its types
and turns rows into objects: for the ledger's claim and finish, the customer's 48-hour
window and the conversation's save, that costs more than the database running them
(docs/performance.md). Those statements are written here once in plain SQL, with ``?``
placeholders (``$1, $2, …`` for asyncpg, rewritten once per statement), and run inside the
session's own transaction on its own connection: SQLite through ``sqlite3`` (on the event
loop's thread for the inline engine, storage/sqlite_inline.py, with its busy retries),
PostgreSQL through ``asyncpg``.

Values go in as the database stores them: :meth:`Driver.time` for a timestamp (naive UTC;
on SQLite the text SQLAlchemy writes), JSON as text. Everything else in the project uses
SQLAlchemy; keep it that way unless a profile says a statement runs for every message.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

_QMARK = re.compile(r"\?")
executed = 0  # statements run here since start (the benchmarks count SQL per message)


@lru_cache(maxsize=256)
def dollar_params(sql: str) -> str:
    """``?`` placeholders as asyncpg's ``$1, $2, …`` (the statements here quote no ``?``)."""
    counter = iter(range(1, 1_000_000))
    return _QMARK.sub(lambda _m: f"${next(counter)}", sql)


@lru_cache(maxsize=256)
def placeholders(count: int, width: int = 1) -> str:
    """``?, ?, ?`` for an IN list (width 1), or ``(?, ?), (?, ?)`` for multi-row VALUES."""
    if width == 1:
        return ", ".join("?" * count)
    row = "(" + ", ".join("?" * width) + ")"
    return ", ".join([row] * count)


def _fetch(conn: sqlite3.Connection, sql: str, args: Sequence[Any]) -> list[tuple]:
    cursor = conn.execute(sql, args)
    try:
        return cursor.fetchall()
    finally:
        cursor.close()


def _many(conn: sqlite3.Connection, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    conn.executemany(sql, rows).close()


class Driver:
    """The session's connection as its driver sees it; see the module's docstring."""

    __slots__ = ("kind", "_conn", "_adapted")

    def __init__(self, kind: str, conn: Any, adapted: Any) -> None:
        self.kind = kind  # "sqlite" or "postgresql"
        self._conn = conn  # aiosqlite (or inline) connection, or asyncpg's
        self._adapted = adapted  # SQLAlchemy's adapter around it (asyncpg: its transaction)

    def time(self, value: datetime) -> Any:
        """An aware datetime as a timestamp column holds it (storage/types.py: naive UTC)."""
        if value.tzinfo is not UTC:
            if value.tzinfo is None:
                raise ValueError("naive datetime given; times are stored in UTC and must be aware")
            value = value.astimezone(UTC)
        utc = value.replace(tzinfo=None)
        if self.kind == "sqlite":  # the text SQLAlchemy's SQLite DATETIME writes
            return utc.isoformat(" ", "microseconds")
        return utc

    def read_time(self, value: Any) -> datetime:
        """A timestamp column's value as read by the driver, as an aware UTC datetime."""
        if isinstance(value, str):  # SQLite
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC)

    async def _begun(self) -> None:
        """asyncpg: SQLAlchemy begins its transaction at the first statement it runs; a
        statement run here first must be inside it too (SQLAlchemy's asyncpg adapter keeps
        it in ``_transaction``; tests/test_storage_driver.py checks a rollback takes ours)."""
        adapted = self._adapted
        if adapted._transaction is None and not adapted.autocommit:
            await adapted._start_transaction()

    async def fetch(self, sql: str, args: Sequence[Any] = ()) -> list[tuple]:
        """The rows of one statement (``?`` placeholders)."""
        global executed
        executed += 1
        if self.kind == "sqlite":
            # aiosqlite's call: on its worker thread, or in place on the inline connection
            return await self._conn._execute(_fetch, self._conn._connection, sql, args)
        await self._begun()
        return [tuple(r) for r in await self._conn.fetch(dollar_params(sql), *args)]

    async def execute(self, sql: str, args: Sequence[Any] = ()) -> None:
        await self.fetch(sql, args)

    async def execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """One statement for each of ``rows`` (an UPDATE by key, say)."""
        if not rows:
            return
        global executed
        executed += 1
        if self.kind == "sqlite":
            await self._conn._execute(_many, self._conn._connection, sql, rows)
            return
        await self._begun()
        await self._conn.executemany(dollar_params(sql), rows)


async def driver(session: AsyncSession) -> Driver:
    """The driver of the connection ``session`` runs its transaction on. Changes made
    through the ORM and not yet written are flushed first, as SQLAlchemy's autoflush would
    before a query."""
    if session.new or session.dirty or session.deleted:
        await session.flush()
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    name = connection.dialect.name
    if name not in ("sqlite", "postgresql"):
        raise RuntimeError(f"storage.driver: no driver path for {name}")
    if name == "postgresql" and not hasattr(raw.dbapi_connection, "_start_transaction"):
        raise RuntimeError("storage.driver: this SQLAlchemy's asyncpg adapter is not known")
    return Driver(name, raw.driver_connection, raw.dbapi_connection)
