"""The custom menu: config → WeChat's JSON, `wxbot mp menu show|push`."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot.channels.mp_menu import MenuError, button_for_key, menu_json
from bot.cli import main
from storage.models import OutboxMessage
from tests.conftest import make_settings
from tests.fakes.wechat_api import FakeWeChat

EXPECTED = {
    "button": [
        {"type": "click", "name": "报修", "key": "MENU_REPAIR"},
        {"type": "click", "name": "以旧换新", "key": "MENU_TRADE_IN"},
        {
            "name": "我的",
            "sub_button": [
                {"type": "click", "name": "买滤芯", "key": "MENU_FILTER"},
                {"type": "click", "name": "我的设备", "key": "MENU_DEVICES"},
                {"type": "click", "name": "进度查询", "key": "MENU_STATUS"},
                {"type": "click", "name": "人工客服", "key": "MENU_HUMAN"},
            ],
        },
    ]
}


def test_config_menu_becomes_wechats_json(settings):
    assert menu_json(settings) == EXPECTED


def test_click_keys_map_back_to_their_buttons(settings):
    assert button_for_key(settings, "MENU_HUMAN").intent == "human_agent"
    assert button_for_key(settings, "MENU_REPAIR").name == "报修"
    assert button_for_key(settings, "NOPE") is None
    assert button_for_key(settings, None) is None


def test_view_buttons_and_limits(db_path):
    s = make_settings(
        db_path,
        mp={"menu": [{"name": "官网", "url": "https://example.com"}, {"name": "空"}]},
    )
    with pytest.raises(MenuError):
        menu_json(s)
    s = make_settings(db_path, mp={"menu": [{"name": "官网", "url": "https://example.com"}]})
    assert menu_json(s) == {
        "button": [{"type": "view", "name": "官网", "url": "https://example.com"}]
    }
    s = make_settings(db_path, mp={"menu": [{"name": str(i), "key": str(i)} for i in range(4)]})
    with pytest.raises(MenuError):
        menu_json(s)


def _env(monkeypatch, db_path, **extra):
    monkeypatch.setenv("WXBOT_DATABASE__URL", f"sqlite+aiosqlite:///{db_path}")
    for k, v in extra.items():
        monkeypatch.setenv(k, v)


def test_menu_show_prints_the_json(monkeypatch, db_path):
    _env(monkeypatch, db_path)
    result = CliRunner().invoke(main, ["mp", "menu", "show"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == EXPECTED


async def _outbox(db_path):
    from bot.context import build_services

    svc = build_services(make_settings(db_path))
    try:
        async with svc.db.session() as s:
            return list(await s.scalars(select(OutboxMessage)))
    finally:
        await svc.close()


async def test_menu_push_in_sandbox_records_it_in_the_outbox(monkeypatch, db_path):
    _env(monkeypatch, db_path)
    result = await _invoke(["mp", "menu", "push"])
    assert result.exit_code == 0, result.output
    assert "sandbox" in result.output
    [row] = await _outbox(db_path)
    assert (row.channel, row.kind, row.status) == ("mp_api", "notice", "sent")
    assert row.payload["menu"] == EXPECTED


async def test_menu_push_calls_wechat_when_live(monkeypatch, db_path):
    async with FakeWeChat(threaded=True) as fake:
        _env(monkeypatch, db_path, WXBOT_SANDBOX="false", WXBOT_MP__API_BASE_URL=fake.base_url)
        result = await _invoke(["mp", "menu", "push"])
        assert result.exit_code == 0, result.output
        [call] = fake.calls("/cgi-bin/menu/create")
    assert call.json == EXPECTED
    assert await _outbox(db_path) == []


async def _invoke(args):
    """Run the CLI (which calls asyncio.run) off this test's event loop."""
    import asyncio

    return await asyncio.to_thread(CliRunner().invoke, main, args)
