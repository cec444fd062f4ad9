"""Access tokens shared across processes: in the kv table, or in Redis when configured."""

from __future__ import annotations

import asyncio
import socket
import uuid

import pytest

from bot.context import build_services
from bot.wechat.mp_api import MpApi
from bot.wechat.tokens import margin_for
from tests.conftest import make_settings

pytest_plugins = ["tests.fakes.fixtures"]


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


async def test_many_concurrent_callers_in_two_processes_fetch_one_token(live_settings, fake_wechat):
    one, two = build_services(live_settings), build_services(live_settings)
    try:
        await asyncio.gather(
            *(MpApi.of(svc).send_text(f"o{i}", "hi") for i in range(10) for svc in (one, two))
        )
    finally:
        await one.close()
        await two.close()
    assert len(fake_wechat.calls("/cgi-bin/token")) == 1
    assert len(fake_wechat.calls("/cgi-bin/message/custom/send")) == 20


async def test_a_token_is_dropped_before_wechat_expires_it(db_path, fake_wechat):
    fake_wechat.token_ttl = 1  # expires_in 1 s: kept for max(1 - 0, 1) second
    settings = make_settings(db_path, sandbox=False, mp={"api_base_url": fake_wechat.base_url})
    svc = build_services(settings)
    try:
        await MpApi.of(svc).send_text("o1", "a")
        await asyncio.sleep(1.1)
        await MpApi.of(svc).send_text("o1", "b")
    finally:
        await svc.close()
    assert len(fake_wechat.calls("/cgi-bin/token")) == 2
    assert margin_for(7200) == 300 and margin_for(100) == 25


@pytest.mark.redis
async def test_tokens_shared_through_redis(db_path, fake_wechat):
    if not _redis_up():
        pytest.skip("Redis is not answering on 127.0.0.1:6379")
    app_id = f"wxtest{uuid.uuid4().hex[:10]}"
    settings = make_settings(
        db_path,
        sandbox=False,
        redis={"url": "redis://127.0.0.1:6379/0"},
        mp={"api_base_url": fake_wechat.base_url, "app_id": app_id},
    )
    one, two = build_services(settings), build_services(settings)
    try:
        await asyncio.gather(MpApi.of(one).send_text("o1", "a"), MpApi.of(two).send_text("o2", "b"))
        assert await one.redis.get(f"wxbot:token:mp:{app_id}") is not None
        fake_wechat.expire_tokens()
        await MpApi.of(two).send_text("o3", "c")
        await MpApi.of(one).send_text("o4", "d")
        assert len(fake_wechat.calls("/cgi-bin/token")) == 2
    finally:
        await one.redis.delete(f"wxbot:token:mp:{app_id}")
        await one.close()
        await two.close()
