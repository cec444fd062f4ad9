"""Engines and sessions. SQLite (WAL) by default, PostgreSQL via asyncpg when the URL says so."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage import sqlite_inline

BUSY_TIMEOUT_S = 30  # how long a writer waits for SQLite's write lock
# PostgreSQL: a pooled connection left unused this long is pinged before it is handed out
PING_WHEN_IDLE_S = 10.0


def _ensure_sqlite_dir(url: str) -> None:
    u = make_url(url)
    if u.get_backend_name() == "sqlite" and u.database and u.database != ":memory:":
        Path(u.database).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(engine: AsyncEngine, busy_timeout_ms: int) -> None:
    """WAL, foreign keys, and how long SQLite itself waits for a writer (0: the caller
    waits, as the inline connection does without blocking the loop)."""

    @event.listens_for(engine.sync_engine, "connect")
    def _pragmas(dbapi_conn, _record) -> None:  # pragma: no cover - trivial
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        cur.close()


def make_engine(url: str, echo: bool = False) -> AsyncEngine:
    _ensure_sqlite_dir(url)
    is_sqlite = url.startswith("sqlite")
    kwargs: dict = {"echo": echo}
    if is_sqlite:
        kwargs["connect_args"] = {"timeout": BUSY_TIMEOUT_S}
    else:
        kwargs.update(pool_size=10, max_overflow=20)
    engine = create_async_engine(url, **kwargs)
    if is_sqlite:
        _sqlite_pragmas(engine, int(BUSY_TIMEOUT_S * 1000))
    else:
        _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: AsyncEngine) -> None:
    """A connection that sat in the pool for :data:`PING_WHEN_IDLE_S` is pinged before use,
    and replaced when the server is gone (a restart, an idle timeout). SQLAlchemy's
    ``pool_pre_ping`` pings at every checkout: a round trip for each batch of messages
    (5 % of a greeting's CPU). A connection in steady use is not pinged: if the server goes
    away under it, its statement fails, SQLAlchemy drops the whole pool, and the messages
    of that one batch are answered 503 for WeChat to retry (tests/test_pg_pool.py)."""
    dialect = engine.dialect

    @event.listens_for(engine.sync_engine, "checkin")
    def _idle_from(_dbapi_conn, record) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _ping(dbapi_conn, record, _proxy) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < PING_WHEN_IDLE_S:
            return
        try:
            alive = dialect.do_ping(dbapi_conn)
        except Exception as exc:  # the pool tries again with a new connection
            raise DisconnectionError(f"idle connection is gone: {exc}") from exc
        if not alive:
            raise DisconnectionError("idle connection is gone")


def make_inline_engine(url: str, echo: bool = False) -> AsyncEngine | None:
    """For a SQLite file: an engine whose connections run on the event loop's thread
    (storage/sqlite_inline.py), for the short statements of the request path."""
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    _ensure_sqlite_dir(url)
    engine = create_async_engine(
        url, echo=echo, async_creator=sqlite_inline.creator(u.database, BUSY_TIMEOUT_S)
    )
    _sqlite_pragmas(engine, 0)
    return engine


class Database:
    """One engine and its session factory for the process.

    ``transaction(short=True)`` is for the request path's short statements: on a SQLite
    file they run on the event loop's thread, without aiosqlite's thread hops. Everything
    else (long statements above all) uses the default engine."""

    def __init__(self, url: str, echo: bool = False):
        self.url = url
        self.engine = make_engine(url, echo)
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)
        self.inline_engine = make_inline_engine(url, echo)
        self.short_sessionmaker = (
            async_sessionmaker(self.inline_engine, expire_on_commit=False)
            if self.inline_engine is not None
            else self.sessionmaker
        )

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self.sessionmaker() as s:
            yield s

    @asynccontextmanager
    async def transaction(self, *, short: bool = False) -> AsyncIterator[AsyncSession]:
        maker = self.short_sessionmaker if short else self.sessionmaker
        async with maker() as s, s.begin():
            yield s

    async def ping(self) -> bool:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return True

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self.inline_engine is not None:
            await self.inline_engine.dispose()
