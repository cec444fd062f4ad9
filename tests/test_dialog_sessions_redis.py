"""With redis.url set, a half-filled form lives in the real Redis server: a second process
(another Services) continues it, and the database holds no session row."""

from __future__ import annotations

import socket
import uuid

import pytest
from test_dialog_helpers import rows, say

from bot.context import build_services
from storage.models import ConversationSession, ServiceTicket
from tests.conftest import NOW, make_settings

REDIS_URL = "redis://127.0.0.1:6379/0"


def _redis_reason() -> str | None:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return None
    except OSError as exc:
        return f"Redis not reachable at 127.0.0.1:6379: {exc}"


@pytest.mark.redis
async def test_a_form_started_in_one_process_finishes_in_another_through_redis(db_path):
    reason = _redis_reason()
    if reason:
        pytest.skip(reason)
    settings = make_settings(db_path, redis={"url": REDIS_URL})
    user = f"redis-{uuid.uuid4().hex[:8]}"
    one = build_services(settings, now=NOW)
    two = build_services(settings, now=NOW)
    try:
        first = await say(one, "明天上午来修一下客厅的格力空调 不制冷 电话13812345678", user=user)
        assert "地址" in first
        assert await one.redis.ttl(f"wxbot:dialog:mp:{user}") > 0
        assert "核对" in await say(two, "上海市浦东新区张江路88弄3号501室", user=user)
        assert "单号" in await say(two, "确认", user=user)
        [ticket] = await rows(two, ServiceTicket)
        assert ticket.address == "上海市浦东新区张江路88弄3号501室"
        assert await rows(two, ConversationSession) == []
    finally:
        await one.redis.delete(f"wxbot:dialog:mp:{user}")
        await one.close()
        await two.close()
