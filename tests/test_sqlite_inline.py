"""SQLite on the event loop's thread (storage/sqlite_inline.py): a write that meets another
writer's lock waits without stopping the loop, gets through once the lock is gone, and gives
up with SQLite's own error after the busy timeout."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from storage import sqlite_inline


def _make_db(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE t (x INTEGER)")
    conn.commit()
    conn.close()


def _hold_write_lock(path: Path, seconds: float, holding: threading.Event) -> threading.Thread:
    """Another writer (as another process would be): takes the write lock for ``seconds``."""

    def run() -> None:
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t VALUES (1)")
        holding.set()
        time.sleep(seconds)
        conn.execute("COMMIT")
        conn.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


async def _ticks_while(coro) -> tuple[object, int]:
    ticks = 0
    done = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            await asyncio.sleep(0.005)

    t = asyncio.create_task(ticker())
    try:
        result = await coro
    finally:
        done.set()
        await t
    return result, ticks


async def test_a_write_waits_for_another_writer_without_stopping_the_loop(tmp_path):
    path = tmp_path / "inline.db"
    _make_db(path)
    conn = await sqlite_inline.creator(str(path), busy_timeout_s=10)()
    holding = threading.Event()
    other = _hold_write_lock(path, 0.4, holding)
    await asyncio.to_thread(holding.wait)

    async def write() -> None:
        await conn.execute("INSERT INTO t VALUES (2)")
        await conn.commit()

    _, ticks = await _ticks_while(write())
    other.join()
    assert ticks >= 10  # the loop kept running while the write waited (~0.4 s / 5 ms ticks)
    rows = await (await conn.execute("SELECT x FROM t ORDER BY x")).fetchall()
    assert [r[0] for r in rows] == [1, 2]  # nothing lost: both writes are there
    await conn.close()


async def test_a_write_gives_up_after_the_busy_timeout(tmp_path):
    path = tmp_path / "inline.db"
    _make_db(path)
    conn = await sqlite_inline.creator(str(path), busy_timeout_s=0.2)()
    holding = threading.Event()
    other = _hold_write_lock(path, 1.0, holding)
    await asyncio.to_thread(holding.wait)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        await conn.execute("INSERT INTO t VALUES (2)")
    other.join()
    await conn.close()


async def test_no_worker_thread_is_started(tmp_path):
    path = tmp_path / "inline.db"
    _make_db(path)
    before = threading.active_count()
    conn = await sqlite_inline.creator(str(path), busy_timeout_s=1)()
    await conn.execute("INSERT INTO t VALUES (3)")
    await conn.commit()
    assert threading.active_count() == before
    await conn.close()
