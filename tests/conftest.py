"""Shared fixtures: settings on a throw-away SQLite file (migrated once per run), services, a clock."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import Settings, load_settings
from bot.context import Services, build_services
from storage.db import Database

REPO = Path(__file__).resolve().parent.parent
SHANGHAI = ZoneInfo("Asia/Shanghai")
# A fixed "now" for tests that need one: Wednesday 25 November 2026, 10:00 in Shanghai.
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith("WXBOT_"):
            monkeypatch.delenv(key, raising=False)


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from storage.migrate import upgrade

    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


def make_settings(db_path: Path, **overrides) -> Settings:
    base = {"database": {"url": f"sqlite+aiosqlite:///{db_path}"}, "sandbox": True}
    for k, v in overrides.items():
        if isinstance(v, dict) and isinstance(base.get(k), dict):
            base[k] = {**base[k], **v}
        else:
            base[k] = v
    return load_settings(REPO / "config.yaml", **base)


@pytest.fixture
def db_path(tmp_path: Path, migrated_template: Path) -> Path:
    target = tmp_path / "wxbot.db"
    shutil.copy(migrated_template, target)
    return target


@pytest.fixture
def settings(db_path: Path) -> Settings:
    return make_settings(db_path)


@pytest.fixture
async def services(settings: Settings) -> AsyncIterator[Services]:
    svc = build_services(settings, now=NOW)
    yield svc
    await svc.close()


@asynccontextmanager
async def opened(url: str) -> AsyncIterator[Database]:
    """A :class:`Database` on ``url`` for one test, its engines disposed afterwards."""
    db = Database(url)
    try:
        yield db
    finally:
        await db.dispose()


PG_ADMIN_DSN = os.environ.get("WXBOT_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")


async def _pg_reachable() -> str | None:
    try:
        import asyncpg

        conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=2)
        await conn.close()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means: skip
        return f"PostgreSQL not reachable at {PG_ADMIN_DSN}: {type(exc).__name__}: {exc}"


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    """A fresh, migrated PostgreSQL database for one test; skipped when the server is down."""
    import uuid

    import asyncpg

    reason = await _pg_reachable()
    if reason:
        pytest.skip(reason)
    name = f"wxbot_t_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(PG_ADMIN_DSN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    url = f"{base}/{name}"
    from storage.migrate import upgrade

    upgrade(url)
    try:
        yield url
    finally:
        admin = await asyncpg.connect(PG_ADMIN_DSN)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
