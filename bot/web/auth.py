"""Admin sign-in: who may log in, the password check, CSRF tokens, and the lock-out.

- The password hash comes from ``WXBOT_ADMIN_PASSWORD_HASH`` (or ``admin.password_hash``
  in config); ``wxbot admin hash-password`` prints one. In sandbox mode with no hash set,
  the demo password :data:`DEMO_PASSWORD` works and the login page says so. Outside
  sandbox mode with no hash, nobody can log in.
- Sessions live server-side (bot/web/sessions.py); the cookie holds a random token.
  Changing the password hash (or the user name) ends every session: each is tied to
  :attr:`AdminAuth.password_tag`.
- Every POST under /admin carries the session's CSRF token (form field ``csrf`` or the
  ``X-CSRF-Token`` header); the login form carries a signed pre-session token.
- :data:`MAX_FAILURES` failed logins in :data:`WINDOW` for one client address and user
  name lock that pair out until the window has passed (a correct password is refused
  meanwhile); :data:`IP_MAX_FAILURES` lock the address out whatever the name. Both stores
  are bounded (bot/web/lockout.py).
- Every attempt costs one scrypt check, known user name or not (no enumeration by
  timing), on a small thread pool of its own so a flood cannot stall the event loop.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import os
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.context import Services
from bot.web.lockout import LockoutStore, key_of
from bot.web.passwords import hash_password, verify_password

DEMO_PASSWORD = "wxbot-demo"
COOKIE = "wxbot_admin"
LOGIN_COOKIE = "wxbot_login"
MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
IP_MAX_FAILURES = 50
MAX_TRACKED = 10_000  # keys per lock-out store (about 200 bytes each)
VERIFY_THREADS = 1
MAX_PENDING_CHECKS = 16  # password checks queued at once; beyond that: "busy, try later"
_pool: ThreadPoolExecutor | None = None


def _executor() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(VERIFY_THREADS, thread_name_prefix="admin-password")
    return _pool


def same(a: str, b: str) -> bool:
    """Constant-time string comparison (any characters, unlike compare_digest on str)."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


CHAIN_ADMIN = "chain_admin"
STORE_MANAGER = "store_manager"


@dataclass(frozen=True)
class Account:
    """Who is signed in: the configured admin and database chain admins see every store; a
    store manager sees only ``store_id``'s customers, tickets, orders and figures."""

    username: str
    role: str
    store_id: int | None = None

    @property
    def scope(self) -> int | None:
        """The one store this account may see, or None for every store."""
        return self.store_id if self.role == STORE_MANAGER else None


@dataclass
class AdminAuth:
    """Credentials, signing key and failure counts for one process."""

    username: str
    password_hash: str | None
    demo_password: bool
    secure_cookie: bool
    session_ttl: timedelta
    secret: bytes
    lockout: LockoutStore = field(
        default_factory=lambda: LockoutStore(
            limit=MAX_FAILURES, window=WINDOW, max_entries=MAX_TRACKED
        )
    )
    ip_lockout: LockoutStore = field(
        default_factory=lambda: LockoutStore(
            limit=IP_MAX_FAILURES, window=WINDOW, max_entries=MAX_TRACKED
        )
    )
    pending_checks: int = 0
    busy_refusals: int = 0
    _dummy_hash: str | None = None

    @classmethod
    def from_services(cls, services: Services) -> AdminAuth:
        conf: dict[str, Any] = services.settings.admin or {}
        sandbox = services.settings.sandbox
        pw_hash = os.environ.get("WXBOT_ADMIN_PASSWORD_HASH") or conf.get("password_hash") or None
        demo = pw_hash is None and sandbox
        if demo:
            # a fixed salt keeps the demo hash stable across processes
            pw_hash = hash_password(DEMO_PASSWORD, salt=b"wxbot-demo-salt!")
        secret_text = os.environ.get("WXBOT_ADMIN_SECRET") or conf.get("secret")
        base = secret_text.encode("utf-8") if secret_text else secrets.token_bytes(32)
        # the password hash is part of the key: a new password ends every session
        secret = hashlib.sha256(base + b"|" + (pw_hash or "").encode("utf-8")).digest()
        return cls(
            username=os.environ.get("WXBOT_ADMIN_USER") or conf.get("username") or "admin",
            password_hash=pw_hash,
            demo_password=demo,
            secure_cookie=not sandbox,
            session_ttl=timedelta(hours=float(conf.get("session_hours", 8))),
            secret=secret,
        )

    # -- signing ---------------------------------------------------------------------
    def _sign(self, purpose: str, payload: str) -> str:
        mac = hmac.new(self.secret, f"{purpose}|{payload}".encode(), hashlib.sha256)
        return _b64(mac.digest())

    def seal(self, purpose: str, data: dict[str, Any]) -> str:
        payload = _b64(json.dumps(data, separators=(",", ":")).encode("utf-8"))
        return f"{payload}.{self._sign(purpose, payload)}"

    def unseal(self, purpose: str, token: str | None, now: datetime) -> dict[str, Any] | None:
        if not token or "." not in token:
            return None
        payload, sig = token.rsplit(".", 1)
        if not same(sig, self._sign(purpose, payload)):
            return None
        try:
            data = json.loads(_unb64(payload))
        except (ValueError, UnicodeDecodeError):
            return None
        if not isinstance(data, dict) or float(data.get("exp", 0)) < now.timestamp():
            return None
        return data

    # -- sessions and passwords ----------------------------------------------------
    @property
    def password_tag(self) -> str:
        """Names the current credentials; sessions opened under others are void."""
        text = f"{self.username}|{self.password_hash or ''}"
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def _check(self, password: str, stored: str | None) -> bool:
        if stored is None:  # nobody may log in, but the attempt costs the same
            if self._dummy_hash is None:
                self._dummy_hash = hash_password(secrets.token_urlsafe(16))
            return verify_password(password, self._dummy_hash) and False
        # always one scrypt, whatever the name: unknown names answer no faster
        return verify_password(password, stored)

    async def check_password(self, user: str, password: str) -> bool | None:
        """Whether (user, password) are the configured admin's; None when too many checks
        are queued."""
        stored = self.password_hash if same(user, self.username) else None
        return await self._verify(password, stored)

    async def _verify(self, password: str, stored: str | None) -> bool | None:
        if self.pending_checks >= MAX_PENDING_CHECKS:
            return None
        self.pending_checks += 1
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(_executor(), self._check, password, stored)
        finally:
            self.pending_checks -= 1

    async def sign_in(self, services: Services, user: str, password: str) -> Account | bool | None:
        """The account (user, password) opens: the configured admin, else an active database
        account (``wxbot admin add``). False when wrong; None when too many checks queue."""
        if same(user, self.username):
            ok = await self._verify(password, self.password_hash)
            return Account(self.username, CHAIN_ADMIN) if ok else ok
        row = await self._db_user(services, user)
        stored = row.password_hash if row is not None and row.active else None
        ok = await self._verify(password, stored)
        if not ok or row is None:
            return ok if ok is None else False
        return Account(row.username, row.role, row.store_id)

    async def account(self, services: Services, user: str) -> Account | None:
        """The account a live session belongs to now (None: disabled or removed since)."""
        if same(user, self.username):
            return Account(self.username, CHAIN_ADMIN) if self.password_hash else None
        row = await self._db_user(services, user)
        if row is None or not row.active:
            return None
        return Account(row.username, row.role, row.store_id)

    @staticmethod
    async def _db_user(services: Services, user: str):
        from storage.repos import admin_users

        if not user or len(user) > 64:
            return None
        async with services.db.session() as s:
            return await admin_users.by_username(s, user)

    def login_token(self, now: datetime) -> str:
        """The pre-session CSRF token for the login form (cookie and hidden field)."""
        return self.seal(
            "login", {"n": secrets.token_urlsafe(12), "exp": (now + WINDOW).timestamp()}
        )

    # -- lock-out --------------------------------------------------------------------
    def locked(self, ip: str, user: str, now: datetime) -> bool:
        return self.ip_lockout.locked(key_of(ip), now) or self.lockout.locked(key_of(ip, user), now)

    def failed(self, ip: str, user: str, now: datetime) -> None:
        self.ip_lockout.failed(key_of(ip), now)
        self.lockout.failed(key_of(ip, user), now)

    def succeeded(self, ip: str, user: str) -> None:
        self.lockout.clear(key_of(ip, user))
