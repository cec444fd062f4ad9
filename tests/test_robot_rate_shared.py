"""A WeCom group robot takes 20 messages a minute, whoever sends them: two processes (two
Services) sharing PostgreSQL, or Redis, together get 20 slots in a minute, the rest wait
for the window to move, and none is refused or lost."""

from __future__ import annotations

import asyncio
import socket
import uuid

import pytest

from bot.context import build_services
from bot.wechat.rate_limit import MinuteLimiter, SharedMinuteLimiter, limiter_for
from tests.conftest import NOW, make_settings

REDIS_URL = "redis://127.0.0.1:6379/0"


class Clock:
    """Wall time at 1,000 s; only ``sleep`` moves it on (and records the waits)."""

    def __init__(self) -> None:
        self.t = 1_000.0
        self.slept: list[float] = []

    def now(self) -> float:
        return self.t

    async def sleep(self, d: float) -> None:
        self.slept.append(d)
        self.t += d
        await asyncio.sleep(0)


async def _two_processes_share_twenty(one, two) -> None:
    clock = Clock()
    key = f"robot-key-{uuid.uuid4().hex}"
    a = SharedMinuteLimiter(one, 20, now=clock.now, sleep=clock.sleep)
    b = SharedMinuteLimiter(two, 20, now=clock.now, sleep=clock.sleep)
    got = await asyncio.gather(*(lim.reserve(key) for lim in [a, b] * 15))
    taken = [d for d in got if d == 0]
    assert len(taken) == 20  # 30 asked at once from two processes: 20 pass this minute
    assert all(55 <= d <= 60 for d in got if d), got  # the rest are told to wait ~a minute
    clock.t += 30
    assert await a.reserve(key) > 0  # half a minute on: still full
    clock.t += 31
    assert await b.reserve(key) == 0  # the window moved: the other process gets a slot


async def _a_queue_not_an_error(one, two) -> None:
    clock = Clock()
    key = f"robot-key-{uuid.uuid4().hex}"
    a = SharedMinuteLimiter(one, 20, now=clock.now, sleep=clock.sleep)
    b = SharedMinuteLimiter(two, 20, now=clock.now, sleep=clock.sleep)
    passed: list[float] = []

    async def send(lim: SharedMinuteLimiter) -> None:
        await lim.wait(key)
        passed.append(clock.t)

    await asyncio.gather(*(send(lim) for lim in [a, b] * 13))
    assert len(passed) == 26  # every send went out in the end
    times = sorted(passed)
    assert times[0] == 1_000 and len(times) == 26
    # never more than 20 in any 60 seconds: the 21st after any send is a minute later
    assert all(times[i + 20] - times[i] >= 60 for i in range(len(times) - 20)), times


@pytest.mark.postgres
async def test_two_processes_on_postgresql_send_at_most_20_a_minute(pg_url, tmp_path):
    settings = make_settings(tmp_path / "unused.db", database={"url": pg_url})
    one, two = build_services(settings, now=NOW), build_services(settings, now=NOW)
    try:
        assert isinstance(limiter_for(one, 20), SharedMinuteLimiter)
        await _two_processes_share_twenty(one, two)
        await _a_queue_not_an_error(one, two)
    finally:
        await one.close()
        await two.close()


def _redis_reason() -> str | None:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return None
    except OSError as exc:
        return f"Redis not reachable at 127.0.0.1:6379: {exc}"


@pytest.mark.redis
async def test_two_processes_on_redis_send_at_most_20_a_minute(db_path):
    reason = _redis_reason()
    if reason:
        pytest.skip(reason)
    settings = make_settings(db_path, redis={"url": REDIS_URL})
    one, two = build_services(settings, now=NOW), build_services(settings, now=NOW)
    try:
        await _two_processes_share_twenty(one, two)
        await _a_queue_not_an_error(one, two)
    finally:
        await one.close()
        await two.close()


async def test_sqlite_alone_keeps_the_in_memory_window(db_path):
    """SQLite runs one process: no shared window is needed (nor any PostgreSQL SQL run)."""
    settings = make_settings(db_path)
    services = build_services(settings, now=NOW)
    try:
        assert isinstance(limiter_for(services, 20), MinuteLimiter)
    finally:
        await services.close()
