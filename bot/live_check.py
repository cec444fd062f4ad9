"""Live mode (``sandbox: false``) refuses to start with the public demo secrets.

:func:`live_problems` lists, one line per setting, every credential that is empty, one of
the sandbox values shipped in ``config.yaml`` (public: anyone can sign with them), or too
weak, and a missing admin secret where several web processes may run. ``wxbot serve``
prints them as config errors and exits 2.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from bot.config import Settings

# The sandbox values of the shipped config.yaml (and the demo admin password).
DEMO_VALUES = frozenset(
    {
        "wxsandbox0000mp01",
        "sandbox-mp-secret",
        "sandboxtoken",
        "6PmTxj5qP1aZHSrJYswXuJSlql2obkXIEbgrViOmaEP",
        "wwsandbox0000corp",
        "sandbox-work-secret",
        "sandboxworktoken",
        "VMifIXCuSNkwVMqB0rUtxsDueVyMJZSJoAst6L5kW4r",
        "wxbot-demo",
    }
)
DEMO_PASSWORD = "wxbot-demo"
MIN_SECRET = 16  # app secrets, tokens, the admin and metrics secrets
_TOKEN = re.compile(r"[A-Za-z0-9]{3,32}")  # WeChat / WeCom: 3-32 letters and digits
_AES_KEY = re.compile(r"[A-Za-z0-9]{43}")


def _credential(key: str, value: str | None, env: str, *, min_len: int = 0) -> str | None:
    if not value:
        return f"{key}: empty; set it (environment {env})"
    if value in DEMO_VALUES:
        return f"{key}: the public sandbox value; set your own (environment {env})"
    if len(value) < min_len:
        return f"{key}: too short ({len(value)} characters, at least {min_len})"
    return None


def _token(key: str, value: str, env: str) -> str | None:
    problem = _credential(key, value, env)
    if problem:
        return problem
    if not _TOKEN.fullmatch(value):
        return f"{key}: WeChat allows 3-32 letters and digits only"
    if len(value) < MIN_SECRET:
        return (
            f"{key}: too short ({len(value)} characters): one logged URL lets a short token "
            f"be guessed offline; use {MIN_SECRET}-32 random letters and digits"
        )
    return None


def _aes_key(key: str, value: str | None, env: str) -> str | None:
    problem = _credential(key, value, env)
    if problem:
        return problem
    if not _AES_KEY.fullmatch(value or ""):
        return f"{key}: must be 43 letters and digits (the EncodingAESKey WeChat generates)"
    return None


def _demo_password_hash(pw_hash: str) -> bool:
    from bot.web.passwords import verify_password

    try:
        return verify_password(DEMO_PASSWORD, pw_hash)
    except Exception:  # noqa: BLE001 - an unreadable hash is the login's problem, not ours
        return False


def live_problems(
    settings: Settings, role: str = "all", env: Mapping[str, str] | None = None
) -> list[str]:
    """Why ``settings`` must not serve live traffic (empty when it may, or in sandbox)."""
    if settings.sandbox:
        return []
    env = os.environ if env is None else env
    mp, work, admin = settings.mp, settings.work, settings.admin or {}
    found = [
        _credential("mp.app_id", mp.app_id, "WXBOT_MP__APP_ID"),
        _credential("mp.app_secret", mp.app_secret, "WXBOT_MP__APP_SECRET", min_len=MIN_SECRET),
        _token("mp.token", mp.token, "WXBOT_MP__TOKEN"),
        _credential("work.corp_id", work.corp_id, "WXBOT_WORK__CORP_ID"),
        _credential("work.secret", work.secret, "WXBOT_WORK__SECRET", min_len=MIN_SECRET),
        _token("work.token", work.token, "WXBOT_WORK__TOKEN"),
        _aes_key("work.encoding_aes_key", work.encoding_aes_key, "WXBOT_WORK__ENCODING_AES_KEY"),
    ]
    if mp.encoding_aes_key or mp.message_mode != "plain":
        found.append(
            _aes_key("mp.encoding_aes_key", mp.encoding_aes_key, "WXBOT_MP__ENCODING_AES_KEY")
        )
        if not mp.encoding_aes_key:
            found[-1] = (
                "mp.encoding_aes_key: empty: in plain mode anyone who reads one request URL "
                "can post as any customer; set the key (safe mode), or mp.message_mode: plain "
                "to accept that"
            )
    if work.contact_secret is not None:
        found.append(
            _credential(
                "work.contact_secret",
                work.contact_secret,
                "WXBOT_WORK__CONTACT_SECRET",
                min_len=MIN_SECRET,
            )
        )
    pw_hash = env.get("WXBOT_ADMIN_PASSWORD_HASH") or admin.get("password_hash")
    if pw_hash and _demo_password_hash(str(pw_hash)):
        found.append(
            "WXBOT_ADMIN_PASSWORD_HASH: the hash of the public demo password wxbot-demo; "
            "make one with `wxbot admin hash-password`"
        )
    secret = env.get("WXBOT_ADMIN_SECRET") or admin.get("secret")
    if secret:
        found.append(
            _credential("WXBOT_ADMIN_SECRET", str(secret), "WXBOT_ADMIN_SECRET", min_len=32)
        )
    elif role == "web" or settings.redis.url:
        found.append(
            "WXBOT_ADMIN_SECRET: not set, and several web processes may run (role web or "
            "redis.url set): each would sign admin sessions with its own random key; set "
            "32+ random characters"
        )
    if settings.metrics.token is not None:
        found.append(
            _credential(
                "metrics.token", settings.metrics.token, "WXBOT_METRICS__TOKEN", min_len=MIN_SECRET
            )
        )
    return [p for p in found if p]
