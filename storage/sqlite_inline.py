"""SQLite on the event loop's own thread: aiosqlite without its worker thread.

aiosqlite runs every call (cursor, execute, fetch, close, commit) on a worker thread; each
hop costs ~70–200 µs of CPU and GIL hand-offs, while a small indexed SQLite statement in WAL
mode takes a few µs. For the short statements of a webhook turn this connection calls
sqlite3 directly. Never use it for long statements (the care plan, imports): they would
stop the event loop.

A write lock held by another connection is not waited for inside SQLite (that would block
the loop, and the holder may be a task on this very loop): the connection has a zero busy
timeout, and a plain ``SQLITE_BUSY`` is retried after an ``asyncio.sleep`` with backoff,
up to ``busy_timeout_s``. Only plain BUSY is retried (the statement did nothing); a stale
snapshot (``SQLITE_BUSY_SNAPSHOT``) is raised as before.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import aiosqlite

SQLITE_BUSY = 5  # the plain code; extended codes (e.g. 517, BUSY_SNAPSHOT) are not retried
FIRST_WAIT_S = 0.001
LONGEST_WAIT_S = 0.02


class InlineConnection(aiosqlite.Connection):
    """An ``aiosqlite.Connection`` whose calls run on the caller's thread, in place."""

    def __init__(self, connector: Callable[[], sqlite3.Connection], busy_timeout_s: float):
        super().__init__(connector, iter_chunk_size=64)
        self._busy_timeout_s = busy_timeout_s

    async def _execute(self, fn, *args, **kwargs):  # type: ignore[override]
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        wait, give_up = FIRST_WAIT_S, time.monotonic() + self._busy_timeout_s
        while True:
            try:
                return fn(*args, **kwargs)
            except sqlite3.OperationalError as exc:
                if getattr(exc, "sqlite_errorcode", None) != SQLITE_BUSY:
                    raise
                if time.monotonic() >= give_up:
                    raise
            await asyncio.sleep(wait)  # let the lock's holder (maybe a task here) finish
            wait = min(wait * 2, LONGEST_WAIT_S)

    async def _connect(self) -> InlineConnection:
        if self._connection is None:
            self._connection = self._connector()
        return self

    def __await__(self):  # type: ignore[override]
        return self._connect().__await__()  # no worker thread to start

    def stop(self) -> None:  # type: ignore[override]
        self._running = False
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    async def close(self) -> None:
        self.stop()


def creator(path: str, busy_timeout_s: float) -> Callable[[], Any]:
    """An ``async_creator`` for ``create_async_engine``: inline connections to ``path``."""

    async def connect() -> InlineConnection:
        # check_same_thread off: the pool may close a connection from the GC's thread
        connector = partial(
            sqlite3.connect, path, timeout=0, isolation_level="", check_same_thread=False
        )
        return await InlineConnection(connector, busy_timeout_s)

    return connect
