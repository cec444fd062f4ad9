"""Sessions: kept in the database, forgotten after 30 idle minutes, alive across a restart."""

from __future__ import annotations

from test_dialog_helpers import advance, rows, say

from bot.context import build_services
from bot.dialog import sessions
from storage.models import ConversationSession, ServiceTicket
from tests.conftest import NOW

BOOKING = "明天上午来修一下客厅的格力空调 不制冷 电话13812345678"
ADDRESS = "上海市浦东新区张江路88弄3号501室"


async def test_the_form_waits_29_idle_minutes(services):
    await say(services, BOOKING)
    advance(services, 29)
    assert "核对" in await say(services, ADDRESS)


async def test_the_form_is_forgotten_after_30_idle_minutes(services):
    await say(services, BOOKING)
    advance(services, 31)
    text = await say(services, ADDRESS)
    assert "核对" not in text
    await say(services, "确认")
    assert await rows(services, ServiceTicket) == []


async def test_each_message_restarts_the_idle_clock(services):
    await say(services, "修空调")
    advance(services, 20)
    assert "问题" in await say(services, "格力空调")
    advance(services, 20)
    assert "地址" in await say(services, "不制冷")


async def test_the_state_lives_in_the_conversation_sessions_table(services):
    await say(services, BOOKING)
    [row] = await rows(services, ConversationSession)
    assert row.user_key == "mp:u1"
    assert row.state["form"] == "repair" and row.state["asking"] == "address"
    assert row.state["slots"]["phone"] == "13812345678"


async def test_a_new_services_on_the_same_database_continues_the_form(services, settings):
    await say(services, BOOKING)
    await services.close()
    again = build_services(settings, now=NOW)
    try:
        assert "核对" in await say(again, ADDRESS)
        assert "R20261125-0001" in await say(again, "确认")
    finally:
        await again.close()


async def test_an_outside_update_does_not_keep_an_idle_form_alive(services):
    await say(services, BOOKING)
    advance(services, 20)
    await sessions.update(services, "mp:u1", expect={"kind": "rating", "ticket_id": 0})
    advance(services, 15)  # 35 minutes after the customer's last message
    assert "核对" not in await say(services, ADDRESS)


class FakeRedis:
    """The four calls the session store makes, in memory."""

    def __init__(self) -> None:
        self.data: dict[str, str] = {}
        self.ttl: dict[str, int] = {}

    async def get(self, key: str) -> str | None:
        return self.data.get(key)

    async def set(self, key: str, value: str, ex: int | None = None) -> None:
        self.data[key] = value
        self.ttl[key] = ex or 0

    async def delete(self, key: str) -> None:
        self.data.pop(key, None)

    async def aclose(self) -> None:
        return None


async def test_with_redis_sessions_live_there_not_in_the_database(services):
    services.redis = FakeRedis()
    await say(services, BOOKING)
    assert await rows(services, ConversationSession) == []
    assert services.redis.ttl["wxbot:dialog:mp:u1"] == 30 * 60
    assert "核对" in await say(services, ADDRESS)
    advance(services, 31)
    assert "核对" not in await say(services, "确认")
