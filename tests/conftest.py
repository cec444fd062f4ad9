"""Shared fixtures: settings on a throw-away SQLite file (migrated once per run), services, a clock."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import Settings, load_settings
from bot.context import Services, build_services

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
