"""Pytest fixtures around the fakes. Enable with, in tests/conftest.py:

    pytest_plugins = ["tests.fakes.fixtures"]

``fake_wechat``: a running :class:`FakeWeChat`. ``live_settings``: settings with sandbox off
and both API base URLs pointed at it. ``live_services``: services built on them (clock frozen
at the suite's NOW).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import Settings
from bot.context import Services, build_services
from tests.fakes.wechat_api import FakeWeChat

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
async def fake_wechat() -> AsyncIterator[FakeWeChat]:
    async with FakeWeChat() as fake:
        yield fake


@pytest.fixture
def live_settings(db_path: Path, fake_wechat: FakeWeChat) -> Settings:
    from tests.conftest import make_settings

    return make_settings(
        db_path,
        sandbox=False,
        mp={"api_base_url": fake_wechat.base_url},
        work={"api_base_url": fake_wechat.base_url},
    )


@pytest.fixture
async def live_services(live_settings: Settings) -> AsyncIterator[Services]:
    svc = build_services(live_settings, now=NOW)
    yield svc
    await svc.close()
