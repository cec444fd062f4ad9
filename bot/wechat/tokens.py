"""Access tokens shared by every process: in Redis when ``redis.url`` is set, else in the
``kv`` table. One process refreshes at a time (Redis SET NX / a kv lock row); the others
wait for its token. Tokens are kept until ``expires_in`` minus a margin."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from bot.context import Services
from bot.wechat.errors import TokenError
from storage.repos import kv

log = logging.getLogger(__name__)

Fetch = Callable[[], Awaitable[tuple[str, int]]]
LOCK_TTL_S = 15
WAIT_STEP_S = 0.05


def _now() -> datetime:
    # Tokens live in real time, whatever the (possibly frozen) business clock says.
    return datetime.now(UTC)


def margin_for(expires_in: int) -> int:
    """Seconds to drop a token before WeChat does: 5 minutes, less for short-lived tokens."""
    return min(300, max(expires_in // 4, 0))


class TokenStore:
    """``await store.get()`` returns a valid token; ``await store.invalidate(bad)`` after
    WeChat refused it (40001/42001/40014), so the next ``get`` fetches a new one."""

    def __init__(self, services: Services, name: str, fetch: Fetch) -> None:
        self.services = services
        self.name = name
        self.fetch = fetch
        self._token: str | None = None
        self._expires: datetime | None = None
        self._lock = asyncio.Lock()
        self.fetches = 0  # how many times this process asked WeChat for a token

    @property
    def _key(self) -> str:
        return f"wxbot:token:{self.name}"

    @property
    def _lock_key(self) -> str:
        return f"wxbot:lock:token:{self.name}"

    def _cached(self) -> str | None:
        if self._token and self._expires and self._expires > _now():
            return self._token
        return None

    async def get(self) -> str:
        token = self._cached()
        if token:
            return token
        async with self._lock:
            token = self._cached() or await self._read_shared()
            if token:
                return token
            return await self._refresh()

    async def invalidate(self, bad: str) -> None:
        if self._token == bad:
            self._token = None
        if self.services.redis is not None:
            r = self.services.redis
            if await r.get(self._key) == bad:
                await r.delete(self._key)
            return
        async with self.services.db.transaction() as s:
            await kv.remove(s, self._key, bad)

    async def _refresh(self) -> str:
        owner = uuid.uuid4().hex
        for _ in range(int(LOCK_TTL_S / WAIT_STEP_S)):
            if await self._acquire(owner):
                try:
                    token = await self._read_shared()
                    if token:
                        return token
                    return await self._fetch_and_store()
                finally:
                    await self._release(owner)
            await asyncio.sleep(WAIT_STEP_S)
            token = await self._read_shared()
            if token:
                return token
        log.warning("token lock %s held too long; fetching anyway", self.name)
        return await self._fetch_and_store()

    async def _fetch_and_store(self) -> str:
        token, expires_in = await self.fetch()
        self.fetches += 1
        if not token:
            raise TokenError(None, "empty access token")
        expires = _now() + timedelta(seconds=max(expires_in - margin_for(expires_in), 1))
        await self._write_shared(token, expires)
        self._token, self._expires = token, expires
        log.info("fetched a new %s access token (valid %ss)", self.name, expires_in)
        return token

    async def _read_shared(self) -> str | None:
        if self.services.redis is not None:
            r = self.services.redis
            token = await r.get(self._key)
            ttl_ms = await r.pttl(self._key) if token else -2
            if token and ttl_ms > 0:
                self._token = token
                self._expires = _now() + timedelta(milliseconds=ttl_ms)
                return token
            return None
        async with self.services.db.session() as s:
            entry = await kv.get(s, self._key, _now())
        if entry is None or entry[1] is None:
            return None
        self._token, self._expires = entry
        return self._token

    async def _write_shared(self, token: str, expires: datetime) -> None:
        if self.services.redis is not None:
            ms = max(int((expires - _now()).total_seconds() * 1000), 1)
            await self.services.redis.set(self._key, token, px=ms)
            return
        async with self.services.db.transaction() as s:
            await kv.put(s, self._key, token, expires)

    async def _acquire(self, owner: str) -> bool:
        if self.services.redis is not None:
            ok = await self.services.redis.set(self._lock_key, owner, nx=True, ex=LOCK_TTL_S)
            return bool(ok)
        now = _now()
        async with self.services.db.transaction() as s:
            return await kv.try_lock(
                s, self._lock_key, owner, now, now + timedelta(seconds=LOCK_TTL_S)
            )

    async def _release(self, owner: str) -> None:
        if self.services.redis is not None:
            r = self.services.redis
            if await r.get(self._lock_key) == owner:
                await r.delete(self._lock_key)
            return
        async with self.services.db.transaction() as s:
            await kv.remove(s, self._lock_key, owner)
