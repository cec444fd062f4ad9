"""At most N sends a minute to one destination (a WeCom group robot takes 20), counted by
every process together.

* :class:`MinuteLimiter` — one process: a sliding 60-second window per key, in memory.
* :class:`SharedMinuteLimiter` — several processes: the same window kept in Redis (a sorted
  set per key, changed by one Lua script, so two processes never both take the 20th slot) or,
  without Redis, in PostgreSQL (a ``kv`` row per key, read and written under an advisory
  lock held for that one short transaction).
* :func:`limiter_for` — the shared one when the processes share Redis or PostgreSQL, else the
  in-memory one (SQLite runs one process).

Callers wait their turn (a queue, not an error). Keys are hashed: a robot's key is a secret.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from sqlalchemy import text

from bot.context import Services

WINDOW_S = 60.0

# KEYS[1] the window; ARGV: now (ms), limit, a unique member. Returns 0 when a slot was taken,
# else the milliseconds until the oldest send leaves the window.
_RESERVE_LUA = """
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 60000)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], 61000)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + 60000 - now)
"""


class Limiter(Protocol):
    async def wait(self, key: str) -> None: ...


class MinuteLimiter:
    """At most ``per_minute`` passes in any 60-second window, per key; callers wait."""

    def __init__(
        self,
        per_minute: int,
        now: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self.per_minute = per_minute
        self.now = now
        self.sleep = sleep
        self._sent: dict[str, deque[float]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def wait(self, key: str) -> None:
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:  # FIFO: asyncio.Lock wakes waiters in order
            sent = self._sent.setdefault(key, deque())
            while True:
                now = self.now()
                while sent and sent[0] <= now - WINDOW_S:
                    sent.popleft()
                if len(sent) < self.per_minute:
                    sent.append(now)
                    return
                await self.sleep(sent[0] + WINDOW_S - now)


def _name(key: str) -> str:
    return "wxbot:rate:" + hashlib.sha256(key.encode()).hexdigest()[:24]


class SharedMinuteLimiter:
    """:class:`MinuteLimiter`'s window, shared by every process through Redis or PostgreSQL.
    ``now`` is wall-clock seconds (processes on several hosts agree on it within NTP)."""

    def __init__(
        self,
        services: Services,
        per_minute: int,
        now: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self.services = services
        self.per_minute = per_minute
        self.now = now
        self.sleep = sleep
        self._locks: dict[str, asyncio.Lock] = {}
        self._n = 0

    async def wait(self, key: str) -> None:
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:  # this process's senders queue in order; processes race fairly
            while True:
                delay = await self.reserve(key)
                if delay <= 0:
                    return
                await self.sleep(delay)

    async def reserve(self, key: str) -> float:
        """Take a slot now (returns 0) or say how many seconds until one frees up."""
        now_ms = int(self.now() * 1000)
        if self.services.redis is not None:
            self._n += 1
            member = f"{now_ms}:{id(self)}:{self._n}"
            r = self.services.redis
            wait_ms = await r.eval(_RESERVE_LUA, 1, _name(key), now_ms, self.per_minute, member)
            return int(wait_ms) / 1000
        return await self._reserve_in_database(key, now_ms)

    async def _reserve_in_database(self, key: str, now_ms: int) -> float:
        name = _name(key)
        async with self.services.db.transaction(short=True) as s:
            await s.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": name})
            raw = await s.scalar(text("SELECT value FROM kv WHERE key = :k"), {"k": name})
            sent = [t for t in json.loads(raw or "[]") if t > now_ms - WINDOW_S * 1000]
            if len(sent) >= self.per_minute:
                return max(0.001, (min(sent) + WINDOW_S * 1000 - now_ms) / 1000)
            sent.append(now_ms)
            value = json.dumps(sent)
            if raw is None:
                await s.execute(
                    text("INSERT INTO kv (key, value) VALUES (:k, :v)"), {"k": name, "v": value}
                )
            else:
                await s.execute(
                    text("UPDATE kv SET value = :v WHERE key = :k"), {"k": name, "v": value}
                )
        return 0.0


def limiter_for(services: Services, per_minute: int) -> Limiter:
    """Shared across processes when they share Redis or PostgreSQL; in memory on SQLite."""
    if services.redis is not None or not services.db.is_sqlite:
        return SharedMinuteLimiter(services, per_minute)
    return MinuteLimiter(per_minute)
