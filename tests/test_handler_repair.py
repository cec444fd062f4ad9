"""Booking repair / installation / cleaning visits: tickets, numbers, windows, the store told."""

from __future__ import annotations

import asyncio
from datetime import date, datetime

from test_dialog_helpers import reply, rows, say, seed_customer, seed_device, seed_staff

from bot.dialog import respond
from bot.messages import Inbound
from storage.models import Customer, OutboxMessage, ServiceTicket, TicketEvent
from storage.repos import tickets
from tests.conftest import SHANGHAI

BOOKING = "明天上午来修一下客厅的格力空调 不制冷 电话13812345678"
ADDRESS = "上海市浦东新区张江路88弄3号501室"


async def book(services, first: str = BOOKING, user: str = "u1") -> str:
    await say(services, first, user=user)
    await say(services, ADDRESS, user=user)
    return await say(services, "确认", user=user)


async def test_a_confirmed_repair_writes_a_ticket_an_event_and_tells_the_guide(services):
    await seed_staff(services, "G001")
    done = await book(services)
    assert "R20261125-0001" in done
    assert "11月26日(周四) 09:00-12:00" in done
    [ticket] = await rows(services, ServiceTicket)
    assert ticket.kind == "repair" and ticket.status == "open"
    assert ticket.window_start == datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI)
    assert ticket.window_end == datetime(2026, 11, 26, 12, 0, tzinfo=SHANGHAI)
    [event] = await rows(services, TicketEvent)
    assert event.ticket_id == ticket.id and event.status == "open"
    [notice] = await rows(services, OutboxMessage)
    assert notice.channel == "work_app" and notice.recipient == "G001"
    assert notice.kind == "notice"
    assert "R20261125-0001" in notice.text and "不制冷" in notice.text and ADDRESS in notice.text


async def test_the_customers_own_guide_is_told_first(services):
    await seed_staff(services, "G001")
    guide = await seed_staff(services, "G002", name="李导购")
    await seed_customer(services, guide_id=guide)
    await book(services)
    [notice] = await rows(services, OutboxMessage)
    assert notice.recipient == "G002"


async def test_numbers_count_up_per_day_and_per_kind(services):
    assert "R20261125-0001" in await book(services, user="a")
    assert "R20261125-0002" in await book(services, user="b")
    inst = await book(services, "我想装个空调 明天上午 电话13812345679", user="c")
    assert "I20261125-0001" in inst
    clean = await book(services, "帮我约个油烟机清洗 后天上午 电话13812345670", user="d")
    assert "C20261125-0001" in clean
    kinds = {t.number: t.kind for t in await rows(services, ServiceTicket)}
    assert kinds["I20261125-0001"] == "install" and kinds["C20261125-0001"] == "cleaning"


async def test_install_and_cleaning_do_not_ask_for_a_symptom(services):
    text = await say(services, "装一下热水器 明天下午 电话13812345678")
    assert "问题" not in text and "地址" in text


async def test_concurrent_bookings_get_unique_numbers(services):
    cid = await seed_customer(services)

    async def one(i: int) -> str:
        async with services.db.transaction() as s:
            t, _ = await tickets.create(
                s,
                kind="repair",
                customer_id=cid,
                local_day=date(2026, 11, 25),
                now=services.clock.now(),
                source_key=f"k{i}",
            )
            return t.number

    numbers = await asyncio.gather(*(one(i) for i in range(12)))
    assert len(set(numbers)) == 12
    assert sorted(numbers)[-1] == "R20261125-0012"


async def test_a_replayed_confirmation_never_makes_a_second_ticket(services):
    await say(services, BOOKING)
    await say(services, ADDRESS)
    msg = Inbound(
        channel="mp",
        account=services.settings.mp.app_id,
        user_id="u1",
        kind="text",
        received_at=services.clock.now(),
        text="确认",
        dedup_key="mp:x:u1:42",
    )
    first = await respond(services, msg)
    assert "R20261125-0001" in first.text
    # the same message again (e.g. a retry after the session was restored)
    await say(services, BOOKING)
    await say(services, ADDRESS)
    await respond(services, msg)
    assert len(await rows(services, ServiceTicket)) == 1


NO_WINDOW = "修一下空调 不制冷 电话13812345678"


async def test_a_brand_said_later_completes_the_device(services):
    await say(services, NO_WINDOW)
    text = await say(services, "格力的")
    assert "地址" in text
    await say(services, ADDRESS)
    assert "格力空调" in await say(services, "明天下午")


async def test_a_past_time_is_asked_again(services):
    await say(services, NO_WINDOW)
    text = await say(services, ADDRESS)
    assert "什么时候" in text
    again = await say(services, "今天早上8点")
    assert "过去" in again
    assert "核对" in await say(services, "明天下午")


async def test_a_day_beyond_30_days_is_asked_again(services):
    await say(services, NO_WINDOW)
    await say(services, ADDRESS)
    text = await say(services, "12月30号下午")
    assert "30天以内" in text
    assert "核对" in await say(services, "12月20号上午")


async def test_a_time_outside_service_hours_is_asked_again(services):
    await say(services, NO_WINDOW)
    await say(services, ADDRESS)
    text = await say(services, "明天晚上10点")
    assert "08:00-20:00" in text and "核对" not in text
    early = await say(services, "明天早上7点")
    assert "08:00-20:00" in early and "核对" not in early
    assert "核对" in await say(services, "明天8点")
    assert await rows(services, ServiceTicket) == []


async def test_an_invalid_time_said_up_front_is_asked_first(services):
    text = await say(services, "明天晚上10点来修空调")
    assert "08:00-20:00" in text


async def test_a_single_registered_device_is_offered(services):
    cid = await seed_customer(services)
    await seed_device(services, cid, category="净水器", brand="美的", location="厨房")
    text = await say(services, "东西坏了要报修")
    assert "是您登记的厨房的美的净水器吗" in text
    assert "问题" in await say(services, "是的")
    await say(services, "不出水")
    await say(services, ADDRESS)
    await say(services, "13812345678")
    await say(services, "明天下午")
    await say(services, "确认")
    [ticket] = await rows(services, ServiceTicket)
    assert ticket.device_id is not None and ticket.category == "净水器"


async def test_one_of_several_registered_devices_is_picked_by_number(services):
    cid = await seed_customer(services)
    await seed_device(services, cid, category="空调", brand="格力", location="客厅")
    second = await seed_device(services, cid, category="空调", brand="美的", location="主卧")
    text = await say(services, "要报修")
    assert "1. 客厅的格力空调" in text and "2. 主卧的美的空调" in text
    assert "问题" in await say(services, "第二个")
    await say(services, "漏水 " + ADDRESS + " 电话13812345678 明天下午")
    summary = await say(services, "嗯")
    assert "主卧的美的空调" in summary or "预约好啦" in summary
    if "预约好啦" not in summary:
        await say(services, "确认")
    [ticket] = await rows(services, ServiceTicket)
    assert ticket.device_id == second


async def test_a_registered_device_is_matched_by_brand_and_category(services):
    cid = await seed_customer(services)
    await seed_device(services, cid, category="空调", brand="格力", location="客厅")
    gree_fridge = await seed_device(services, cid, category="冰箱", brand="海尔", location="厨房")
    text = await say(services, "海尔冰箱不制冷")
    assert "地址" in text
    await say(services, ADDRESS)
    await say(services, "13812345678")
    await say(services, "明天下午")
    await say(services, "确认")
    [ticket] = await rows(services, ServiceTicket)
    assert ticket.device_id == gree_fridge


async def test_a_known_address_is_offered_and_can_be_declined(services):
    await seed_customer(services, address="浦东新区碧云路100弄5号", phone="13700000000")
    text = await say(services, "格力空调不制冷 明天下午")
    assert "还是上门到 浦东新区碧云路100弄5号 吗" in text
    no = await say(services, "不是")
    assert "地址" in no
    summary = await say(services, ADDRESS)
    assert ADDRESS in summary and "13700000000" in summary  # the known phone, silently


async def test_a_known_address_accepted_goes_straight_to_the_confirmation(services):
    await seed_customer(services, address="浦东新区碧云路100弄5号", phone="13700000000")
    await say(services, "格力空调不制冷 明天下午")
    summary = await say(services, "对")
    assert "核对" in summary and "浦东新区碧云路100弄5号" in summary


async def test_a_new_customer_keeps_the_phone_and_address_for_next_time(services):
    await book(services)
    [c] = await rows(services, Customer)
    assert c.phone == "13812345678" and c.address == ADDRESS
    text = await say(services, "空调又不制冷了 明天下午")
    assert f"还是上门到 {ADDRESS} 吗" in text


async def test_a_too_short_address_is_asked_again(services):
    await say(services, BOOKING)
    assert "详细" in await say(services, "家里")


async def test_a_wrong_phone_is_asked_again(services):
    await say(services, "修空调 格力 不制冷 明天下午")
    await say(services, ADDRESS)
    assert "号码" in await say(services, "1234")
    assert "核对" in await say(services, "13812345678")


async def test_the_reply_of_a_booking_is_a_single_message(services):
    r = await reply(services, BOOKING)
    assert r.intent == "repair" and not r.transfer_customer_service


async def test_two_registered_units_of_the_said_category_are_asked_apart(services):
    cid = await seed_customer(services)
    await seed_device(services, cid, category="空调", brand="格力", location="客厅")
    bedroom = await seed_device(services, cid, category="空调", brand="美的", location="主卧")
    await seed_device(services, cid, category="冰箱", brand="海尔", location="厨房")
    text = await say(services, "空调漏水了")
    assert "1. 客厅的格力空调" in text and "2. 主卧的美的空调" in text and "冰箱" not in text
    assert "地址" in await say(services, "主卧的")
    await say(services, ADDRESS)
    await say(services, "13812345678")
    await say(services, "明天下午")
    await say(services, "确认")
    [ticket] = await rows(services, ServiceTicket)
    assert ticket.device_id == bedroom and ticket.symptom == "漏水"


async def test_cancelling_a_booked_visit_asks_once_then_cancels(services):
    # before: "回复“人工”" (a customer could not cancel without a person); issue 21
    await book(services)
    assert "要取消这张服务单吗" in await say(services, "取消预约")
    assert "已取消" in await say(services, "是")
