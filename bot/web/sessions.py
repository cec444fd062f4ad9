"""Admin console sessions kept server-side, so logout and a password change end them.

The cookie holds a random token; the store keeps its SHA-256 with who signed in, from
which address, since when and when last seen. A request is signed in only while its
token is in the store, unexpired, and was opened under the current password (its
``password_tag``). ``admin.session_store`` picks the store: ``database`` (default, the
``admin_sessions`` table) or ``redis`` (needs ``redis.url``).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.context import Services
from storage.models import AdminSession
from storage.repos import admin_sessions as repo

TOUCH_EVERY = timedelta(minutes=1)  # how stale "last seen" may get before it is written
MAX_TOKEN_CHARS = 128


@dataclass
class Active:
    """One open session as the console shows it (never the token)."""

    id: str
    user: str
    ip: str
    csrf: str
    since: datetime
    last_seen: datetime
    expires_at: datetime


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class SessionStore(Protocol):
    async def open(self, active: Active, token_hash: str, tag: str) -> None: ...
    async def find(self, token_hash: str, tag: str, now: datetime) -> Active | None: ...
    async def touch(self, active: Active, now: datetime) -> None: ...
    async def listing(self, tag: str, now: datetime) -> list[Active]: ...
    async def end(self, session_id: str) -> bool: ...
    async def end_user(self, username: str) -> int: ...


class DatabaseSessions:
    def __init__(self, services: Services):
        self.db = services.db

    @staticmethod
    def _active(row: AdminSession) -> Active:
        return Active(
            row.id, row.username, row.ip, row.csrf, row.created_at, row.last_seen, row.expires_at
        )

    async def open(self, active: Active, token_hash: str, tag: str) -> None:
        async with self.db.transaction() as s:
            await repo.purge(s, tag, active.since)
            await repo.add(
                s,
                AdminSession(
                    id=active.id,
                    token_hash=token_hash,
                    username=active.user,
                    csrf=active.csrf,
                    password_tag=tag,
                    ip=active.ip,
                    created_at=active.since,
                    last_seen=active.last_seen,
                    expires_at=active.expires_at,
                ),
            )

    async def find(self, token_hash: str, tag: str, now: datetime) -> Active | None:
        async with self.db.session() as s:
            row = await repo.by_token(s, token_hash, tag, now)
        return self._active(row) if row is not None else None

    async def touch(self, active: Active, now: datetime) -> None:
        async with self.db.transaction() as s:
            await repo.touch(s, active.id, now)

    async def listing(self, tag: str, now: datetime) -> list[Active]:
        async with self.db.transaction() as s:
            await repo.purge(s, tag, now)
            rows = await repo.active(s, tag, now)
        return [self._active(r) for r in rows]

    async def end(self, session_id: str) -> bool:
        async with self.db.transaction() as s:
            return await repo.end(s, session_id=session_id) > 0

    async def end_user(self, username: str) -> int:
        """End every session of ``username`` (a new password, a disabled account)."""
        async with self.db.transaction() as s:
            return await repo.end_user(s, username)


class RedisSessions:
    """``<prefix>s:<id>`` (the session as JSON), ``<prefix>t:<token hash>`` → id, both
    expiring with the session, and the set ``<prefix>all`` of ids for the listing."""

    def __init__(self, services: Services, prefix: str = "wxbot:admin_session:"):
        self.r = services.redis
        self.prefix = prefix

    @staticmethod
    def _dump(active: Active, tag: str, token_hash: str) -> str:
        data: dict[str, Any] = asdict(active)
        for k in ("since", "last_seen", "expires_at"):
            data[k] = data[k].isoformat()
        return json.dumps({**data, "tag": tag, "token_hash": token_hash})

    @staticmethod
    def _load(raw: str) -> tuple[Active, str, str]:
        data = json.loads(raw)
        tag, token_hash = data.pop("tag"), data.pop("token_hash")
        for k in ("since", "last_seen", "expires_at"):
            data[k] = datetime.fromisoformat(data[k])
        return Active(**data), tag, token_hash

    async def _get(self, session_id: str, tag: str, now: datetime) -> Active | None:
        raw = await self.r.get(f"{self.prefix}s:{session_id}")
        if raw is None:
            return None
        active, was, _ = self._load(raw)
        if was != tag or active.expires_at <= now:
            await self.end(session_id)
            return None
        return active

    async def open(self, active: Active, token_hash: str, tag: str) -> None:
        ms = max(int((active.expires_at - active.since).total_seconds() * 1000), 1)
        pipe = self.r.pipeline()
        pipe.set(f"{self.prefix}s:{active.id}", self._dump(active, tag, token_hash), px=ms)
        pipe.set(f"{self.prefix}t:{token_hash}", active.id, px=ms)
        pipe.sadd(f"{self.prefix}all", active.id)
        await pipe.execute()

    async def find(self, token_hash: str, tag: str, now: datetime) -> Active | None:
        session_id = await self.r.get(f"{self.prefix}t:{token_hash}")
        return await self._get(session_id, tag, now) if session_id else None

    async def touch(self, active: Active, now: datetime) -> None:
        key = f"{self.prefix}s:{active.id}"
        raw = await self.r.get(key)
        if raw is not None:
            current, tag, token_hash = self._load(raw)
            current.last_seen = now
            await self.r.set(key, self._dump(current, tag, token_hash), keepttl=True)

    async def listing(self, tag: str, now: datetime) -> list[Active]:
        found = []
        for session_id in await self.r.smembers(f"{self.prefix}all"):
            active = await self._get(session_id, tag, now)
            if active is None:
                await self.r.srem(f"{self.prefix}all", session_id)
            else:
                found.append(active)
        return sorted(found, key=lambda a: (-a.last_seen.timestamp(), a.id))

    async def end(self, session_id: str) -> bool:
        key = f"{self.prefix}s:{session_id}"
        raw = await self.r.get(key)
        await self.r.srem(f"{self.prefix}all", session_id)
        if raw is None:
            return False
        _, _, token_hash = self._load(raw)
        await self.r.delete(key, f"{self.prefix}t:{token_hash}")
        return True

    async def end_user(self, username: str) -> int:
        ended = 0
        for session_id in await self.r.smembers(f"{self.prefix}all"):
            raw = await self.r.get(f"{self.prefix}s:{session_id}")
            if raw is not None and self._load(raw)[0].user == username:
                ended += await self.end(session_id)
        return ended


def make_store(services: Services) -> SessionStore:
    kind = str((services.settings.admin or {}).get("session_store", "database")).lower()
    if kind == "redis":
        if services.redis is None:
            raise ValueError("admin.session_store is redis but redis.url is not set")
        return RedisSessions(services)
    if kind != "database":
        raise ValueError(f"admin.session_store must be database or redis, not {kind!r}")
    return DatabaseSessions(services)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def new_id() -> str:
    return secrets.token_hex(8)
