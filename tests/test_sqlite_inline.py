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


async def _while_another_writes(tmp_path: Path, hold_s: float, busy_timeout_s: float):
    """An inline connection to a fresh database whose write lock another writer holds for
    ``hold_s`` from now; returns the connection and that writer's thread."""
    path = tmp_path / "inline.db"
    _make_db(path)
    conn = await sqlite_inline.creator(str(path), busy_timeout_s=busy_timeout_s)()
    holding = threading.Event()
    other = _hold_write_lock(path, hold_s, holding)
    await asyncio.to_thread(holding.wait)
    return conn, other


async def test_a_write_waits_for_another_writer_without_stopping_the_loop(tmp_path):
    conn, other = await _while_another_writes(tmp_path, hold_s=0.4, busy_timeout_s=10)

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
    conn, other = await _while_another_writes(tmp_path, hold_s=1.0, busy_timeout_s=0.2)
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


async def test_a_turn_waits_for_a_writer_in_this_same_process(services):
    """A care or admin write holds SQLite's lock (on the threaded engine) while a message
    comes in: the turn waits for it without stopping the loop — the holder needs the loop to
    commit, so waiting inside SQLite here would hang both — and then goes through."""
    from test_dialog_helpers import say, seed_customer

    from storage.models import Store

    await seed_customer(services, "o-waits")
    await say(services, "你好", "o-warm")  # the NLU is warm: only the lock can hold the turn up
    async with services.db.transaction() as other:
        other.add(Store(code="S-LOCK", name="锁店", city="上海"))
        await other.flush()  # this transaction now holds the write lock
        turn = asyncio.create_task(say(services, "我要报修", "o-waits"))
        await asyncio.sleep(0.3)
        assert not turn.done()  # the turn's save is waiting for the lock
    text = await asyncio.wait_for(turn, timeout=10)
    assert "？" in text
