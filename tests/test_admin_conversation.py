"""The customer page shows the conversation (what the customer wrote, what the bot
answered), and a hand-off notice tells the store what was under way and what the customer
said before asking for a person (issue 22)."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select
from test_dialog_helpers import seed_staff

from bot.app import create_app
from bot.commands.chat import send_text
from storage.models import ChannelIdentity, InboundMessage, OutboxMessage, ServiceTicket
from tests.test_admin_auth import login

OPENID = "o-conv-1"


@pytest.fixture
async def client(services):
    c = TestClient(TestServer(create_app(services)))
    await c.start_server()
    assert (await login(c)).status == 303
    yield c
    await c.close()


async def _customer_id(services) -> int:
    async with services.db.session() as s:
        ident = await s.scalar(select(ChannelIdentity).where(ChannelIdentity.external_id == OPENID))
        return ident.customer_id


async def test_the_customer_page_shows_what_the_customer_wrote_and_the_answer(client, services):
    await send_text(services, OPENID, "我家洗衣机脱水的时候响得厉害")
    await send_text(services, OPENID, "你们周末上门吗")
    async with services.db.session() as s:
        kept = list(await s.scalars(select(InboundMessage.text)))
    assert "你们周末上门吗" in kept  # recorded with the claim, before the dialog ran
    html = await (await client.get(f"/admin/customers/{await _customer_id(services)}")).text()
    assert "对话记录" in html
    assert "顾客：我家洗衣机脱水的时候响得厉害" in html
    assert "顾客：你们周末上门吗" in html
    assert "答：" in html
    assert '{"text"' not in html  # the reply as words, never as JSON


async def test_a_hand_off_mid_booking_tells_the_store_what_was_under_way(services):
    await seed_staff(services)
    await send_text(services, OPENID, "空调不制冷了 明天上午来修 电话13812345678")
    await send_text(services, OPENID, "我想改个时间，后天下午行不行")
    await send_text(services, OPENID, "转人工")
    async with services.db.session() as s:
        notices = [
            o.text
            for o in await s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "notice"))
            if "人工" in (o.text or "")
        ]
    assert notices, "the guide was told"
    notice = notices[-1]
    assert "正在办报修" in notice and "13812345678" in notice  # what was under way
    assert "后天下午" in notice  # what the customer said before asking for a person


async def test_the_conversation_reads_in_order_and_links_the_ticket_it_led_to(client, services):
    await seed_staff(services)
    await send_text(services, OPENID, "空调不制冷了 明天上午来修 电话13812345678")
    await send_text(services, OPENID, "上海市浦东新区张江路88弄3号501室")
    await send_text(services, OPENID, "确认")
    await send_text(services, OPENID, "人工")
    async with services.db.session() as s:
        ticket = await s.scalar(select(ServiceTicket))
    assert ticket is not None
    html = await (await client.get(f"/admin/customers/{await _customer_id(services)}")).text()
    first = html.index("顾客：空调不制冷了")
    assert first < html.index("顾客：上海市浦东新区张江路88弄3号501室") < html.index("顾客：确认")
    assert f'<a href="/admin/tickets/{ticket.id}">{ticket.number}</a>' in html  # what 确认 led to
    top = html.index("待人工处理")  # the open hand-off, above everything, with their words
    assert top < html.index("对话记录") and "顾客说：“人工”" in html
