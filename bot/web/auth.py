"""Admin sign-in: who may log in, signed session cookies, CSRF tokens, and the lock-out.

- The password hash comes from ``WXBOT_ADMIN_PASSWORD_HASH`` (or ``admin.password_hash``
  in config); ``wxbot admin hash-password`` prints one. In sandbox mode with no hash set,
  the demo password :data:`DEMO_PASSWORD` works and the login page says so. Outside
  sandbox mode with no hash, nobody can log in.
- The session cookie is ``payload.signature`` (HMAC-SHA256), HttpOnly, SameSite=Strict,
  Secure outside sandbox mode. Changing the password hash ends every session.
- Every POST under /admin carries the session's CSRF token (form field ``csrf`` or the
  ``X-CSRF-Token`` header); the login form carries a signed pre-session token.
- :data:`MAX_FAILURES` failed logins in :data:`WINDOW` for one IP and user name lock that
  pair out until the window has passed (a correct password is refused meanwhile).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.context import Services
from bot.web.passwords import hash_password

DEMO_PASSWORD = "wxbot-demo"
COOKIE = "wxbot_admin"
LOGIN_COOKIE = "wxbot_login"
MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
MAX_TRACKED = 10_000


def same(a: str, b: str) -> bool:
    """Constant-time string comparison (any characters, unlike compare_digest on str)."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class AdminAuth:
    """Credentials, signing key and failure counts for one process."""

    username: str
    password_hash: str | None
    demo_password: bool
    secure_cookie: bool
    session_ttl: timedelta
    secret: bytes
    failures: dict[tuple[str, str], list[datetime]] = field(
        default_factory=lambda: defaultdict(list)
    )

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

    # -- sessions --------------------------------------------------------------------
    def new_session(self, user: str, now: datetime) -> tuple[str, str]:
        """(cookie value, CSRF token) for a fresh session."""
        csrf = secrets.token_urlsafe(24)
        exp = (now + self.session_ttl).timestamp()
        return self.seal("session", {"u": user, "exp": exp, "csrf": csrf}), csrf

    def login_token(self, now: datetime) -> str:
        """The pre-session CSRF token for the login form (cookie and hidden field)."""
        return self.seal(
            "login", {"n": secrets.token_urlsafe(12), "exp": (now + WINDOW).timestamp()}
        )

    # -- lock-out --------------------------------------------------------------------
    def _recent(self, key: tuple[str, str], now: datetime) -> list[datetime]:
        kept = [t for t in self.failures.get(key, []) if now - t < WINDOW]
        if kept:
            self.failures[key] = kept
        else:
            self.failures.pop(key, None)
        return kept

    def locked(self, ip: str, user: str, now: datetime) -> bool:
        return len(self._recent((ip, user), now)) >= MAX_FAILURES

    def failed(self, ip: str, user: str, now: datetime) -> None:
        if len(self.failures) > MAX_TRACKED:  # many names tried: forget the stale ones
            for key in list(self.failures):
                self._recent(key, now)
        self._recent((ip, user), now)
        self.failures[(ip, user)].append(now)

    def succeeded(self, ip: str, user: str) -> None:
        self.failures.pop((ip, user), None)
