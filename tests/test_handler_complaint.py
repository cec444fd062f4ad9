"""Complaints and "找人工": a handoff, the guide told, the bot quiet until released or 30 min."""

from __future__ import annotations

from test_dialog_helpers import advance, reply, rows, say, seed_customer, seed_staff

from bot.context import build_services
from handlers.complaint import release
from storage.models import Handoff, OutboxMessage, ServiceTicket
from tests.conftest import NOW, make_settings


async def test_a_complaint_opens_a_handoff_and_tells_the_guide(services):
    await seed_staff(services, "G001")
    answer = await reply(services, "我要投诉 师傅态度太差")
    assert "抱歉" in answer.text and "稍等" in answer.text
    assert not answer.transfer_customer_service
    [handoff] = await rows(services, Handoff)
    assert handoff.kind == "complaint" and handoff.status == "open"
    assert "态度太差" in handoff.reason
    [notice] = await rows(services, OutboxMessage)
    assert notice.channel == "work_app" and notice.recipient == "G001"
    assert "投诉" in notice.text and "态度太差" in notice.text


async def test_asking_for_a_person(services):
    await seed_staff(services, "G001")
    assert "稍等" in await say(services, "转人工")
    [handoff] = await rows(services, Handoff)
    assert handoff.kind == "human_agent"


async def test_quiet_until_released_by_a_human(services):
    await seed_staff(services, "G001")
    cid = await seed_customer(services)
    await say(services, "投诉")
    assert (await reply(services, "有人吗")).empty
    assert await release(services, cid) == 1
    assert "您好" in await say(services, "你好")
    [handoff] = await rows(services, Handoff)
    assert handoff.status == "closed" and handoff.closed_at is not None


async def test_quiet_ends_after_the_configured_minutes(services):
    await say(services, "投诉")
    advance(services, 30)
    assert "您好" in await say(services, "你好")


async def test_other_customers_are_still_answered(services):
    await say(services, "投诉", user="angry")
    assert "您好" in await say(services, "你好", user="calm")


async def test_a_complaint_mid_form_ends_the_form(services):
    await say(services, "明天上午来修一下客厅的格力空调 不制冷 电话13812345678")
    assert "抱歉" in await say(services, "我要投诉你们")
    advance(services, 31)
    assert "核对" not in await say(services, "上海市浦东新区张江路88弄3号501室")
    assert await rows(services, ServiceTicket) == []


async def test_with_a_customer_service_system_the_chat_is_transferred(db_path):
    settings = make_settings(db_path, mp={"transfer_customer_service": True})
    services = build_services(settings, now=NOW)
    try:
        await seed_staff(services, "G001")
        answer = await reply(services, "转人工")
        assert answer.transfer_customer_service
        told = await rows(services, OutboxMessage, OutboxMessage.channel == "mp_kf")
        assert len(told) == 1 and "转接" in told[0].text
    finally:
        await services.close()


async def test_no_staff_at_all_still_acknowledges(services):
    answer = await say(services, "投诉")
    assert "联系您" in answer
    assert len(await rows(services, Handoff)) == 1


async def test_the_guides_notice_is_sent_right_away_not_at_the_next_tick(services):
    import asyncio

    await seed_staff(services, "G001")
    await say(services, "我要投诉 师傅态度太差")
    if services.background:
        await asyncio.wait(set(services.background), timeout=10)
    [notice] = await rows(services, OutboxMessage)
    assert notice.status == "sent" and notice.sandbox


async def test_the_guide_can_tell_who_is_asking(services):
    """A notice names the customer by name and phone tail; a newcomer without a name by the
    tail (never 客户#32, which a guide cannot look up)."""
    await seed_staff(services, "G001")
    await seed_customer(services, "named", name="张伟", phone="13900210001")
    await seed_customer(services, "newcomer", phone="13900219876")
    await say(services, "转人工", user="named")
    await say(services, "转人工", user="newcomer")
    notices = [m.text for m in await rows(services, OutboxMessage) if m.channel == "work_app"]
    assert any("张伟（尾号0001）" in t for t in notices), notices
    assert any("新顾客（尾号9876）" in t for t in notices), notices
    assert not any("客户#" in t for t in notices), notices
