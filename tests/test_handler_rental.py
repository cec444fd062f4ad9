"""Renting a refurbished appliance in chat (issue 20): the offer with fee, deposit and total,
the delivery+installation ticket, 续租, 退租 → pick-up → inspection → back in stock, free
repairs of a rented unit, and the last unit never rented twice. Frozen clock: 2026-11-25 10:00
Asia/Shanghai (Wednesday)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from test_dialog_helpers import advance, rows, say, seed_staff

from bot.demo import seed_demo
from handlers.ticket_updates import move_ticket
from storage.models import (
    Device,
    OutboxMessage,
    RentalContract,
    RentalDue,
    RentalTicket,
    RentalUnit,
    ServiceTicket,
    Store,
)
from tests.conftest import SHANGHAI

ADDRESS = "上海市浦东新区张杨路1200弄5号301室"


async def talk(services, text: str, user: str = "u1") -> str:
    advance(services, 1)  # each message its own moment (its own source key)
    return await say(services, text, user=user)


async def rent_ac(services, user: str = "u1", pick: str = "2") -> list[str]:
    said = []
    for text in ("想租个空调", "半年", "浦东新区", pick, "明天上午", ADDRESS, "13812345678"):
        said.append(await talk(services, text, user))
    said.append(await talk(services, "确认", user))
    return said


async def unit(services, code: str) -> RentalUnit:
    [u] = await rows(services, RentalUnit, RentalUnit.code == code)
    return u


async def test_renting_an_air_conditioner_asks_one_thing_at_a_time_and_books_the_delivery(
    services,
):
    await seed_demo(services)
    said = await rent_ac(services)
    assert "租多久" in said[0]
    assert "哪个区" in said[1]
    offer = said[2]  # the Pudong store's units first, with fee, deposit and the total for 6 months
    assert offer.index("浦东店") < offer.index("徐汇店")
    assert "2. 海尔空调（KFR-26GW） B级翻新（万家电器·浦东店）" in offer
    assert "月租¥109.00，押金¥400.00，6个月租金共¥654.00" in offer
    assert "送货上门安装" in said[3] and "地址" in said[4] and "电话" in said[5]
    confirm = said[6]
    assert "租期：6个月（11月26日至2027年5月26日）" in confirm
    assert "送装时间：11月26日(周四) 09:00-12:00" in confirm
    done = said[7]
    assert "合同号 1" in done and "I20261125-0001" in done and "押金¥400.00" in done

    [c] = await rows(services, RentalContract)
    assert (c.start_on, c.end_on, c.months) == (date(2026, 11, 26), date(2027, 5, 26), 6)
    assert (c.monthly_fee_fen, c.deposit_fen, c.status) == (10900, 40000, "active")
    assert (await unit(services, "RU-PD-AC2")).state == "rented"
    dues = await rows(services, RentalDue)
    assert [d.due_on for d in dues][:3] == [
        date(2026, 11, 26),
        date(2026, 12, 26),
        date(2027, 1, 26),
    ]
    assert len(dues) == 6
    [ticket] = await rows(services, ServiceTicket, ServiceTicket.kind == "install")
    assert ticket.window_start == datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI)
    assert ticket.address == ADDRESS and "租赁送货安装" in ticket.symptom
    [link] = await rows(services, RentalTicket)
    assert (link.ticket_id, link.purpose) == (ticket.id, "delivery")
    [device] = await rows(services, Device, Device.id == c.device_id)
    assert (device.category, device.brand) == ("空调", "海尔")
    [notice] = await rows(services, OutboxMessage, OutboxMessage.channel == "work_app")
    assert "【租赁送装】I20261125-0001" in notice.text and "押金¥400.00" in notice.text


async def test_a_short_rent_said_at_once_skips_what_is_known(services):
    await seed_demo(services)
    reply = await talk(services, "短租一台冰箱三个月")
    assert "哪个区" in reply  # category and term understood
    offer = await talk(services, "我在徐汇")
    assert offer.index("徐汇店") < offer.index("浦东店")
    assert "月租¥89.00，押金¥300.00，3个月租金共¥267.00" in offer


async def test_asking_about_the_deposit_starts_with_what_to_rent(services):
    await seed_demo(services)
    reply = await talk(services, "押金多少")
    assert "想租什么电器" in reply and "空调" in reply and "冰箱" in reply
    reply = await talk(services, "电视")
    assert "电视暂时没有可租的" in reply


async def test_renewal_moves_the_end_and_adds_the_dues(services):
    await seed_demo(services)
    await rent_ac(services)
    assert "续租几个月" in await talk(services, "续租")
    assert "到期日改为2027年8月26日" in await talk(services, "3个月")
    assert "现在到2027年8月26日" in await talk(services, "确认")
    [c] = await rows(services, RentalContract)
    assert (c.end_on, c.months) == (date(2027, 8, 26), 9)
    assert len(await rows(services, RentalDue)) == 9


async def test_renew_or_end_without_a_rental_says_so(services):
    assert "没有在租" in await talk(services, "续租")
    assert "没有在租" in await talk(services, "退租")


async def test_ending_books_a_pickup_then_the_inspection_puts_the_unit_back_in_stock(services):
    await seed_demo(services)
    await rent_ac(services)
    assert "取回" in await talk(services, "退租")
    assert f"还是到 {ADDRESS} 取回吗" in await talk(services, "周日上午")
    assert "确认退租吗" in await talk(services, "是")
    done = await talk(services, "确认")
    assert "取回已约好" in done and "押金¥400.00" in done
    assert "已经约好" in await talk(services, "退租")  # not twice
    [pickup] = await rows(services, ServiceTicket, ServiceTicket.kind == "pickup")
    [c] = await rows(services, RentalContract)
    assert c.status == "ending"

    async with services.db.transaction() as s:
        t = await s.get(ServiceTicket, pickup.id)
        await move_ticket(services, s, t, "done", "E002")
    [c] = await rows(services, RentalContract)
    assert c.status == "ended"
    assert (await unit(services, "RU-PD-AC2")).state == "inspecting"
    [inspection] = await rows(services, ServiceTicket, ServiceTicket.kind == "inspection")
    told = [m.text for m in await rows(services, OutboxMessage, OutboxMessage.channel == "mp_kf")]
    assert any("已退租" in t for t in told)
    assert await rows(services, RentalDue) == []  # ended today: no rent falls due any more

    async with services.db.transaction() as s:
        t = await s.get(ServiceTicket, inspection.id)
        await move_ticket(services, s, t, "done", "E002")
    assert (await unit(services, "RU-PD-AC2")).state == "in_stock"
    after = [m.text for m in await rows(services, OutboxMessage, OutboxMessage.channel == "mp_kf")]
    assert after == told  # the customer hears nothing about the store's inspection


async def test_a_repair_of_the_rented_unit_is_free_and_flagged_as_rental(services):
    await seed_demo(services)
    await rent_ac(services)
    advance(services, 1)
    reply = await talk(services, "租的海尔空调不制冷了 明天下午来修")
    for _ in range(3):
        if "核对" in reply:
            break
        reply = await talk(services, "是")
    assert "核对" in reply, reply
    done = await talk(services, "确认")
    assert "维修免费" in done
    [repair] = await rows(services, ServiceTicket, ServiceTicket.symptom == "不制冷")
    assert repair.number in done
    [link] = await rows(services, RentalTicket, RentalTicket.ticket_id == repair.id)
    assert link.purpose == "repair"
    [notice] = await rows(services, OutboxMessage, OutboxMessage.text.contains(repair.number))
    assert "租赁机" in notice.text and "免费" in notice.text


async def test_the_last_unit_taken_meanwhile_is_not_rented_twice(services):
    await seed_staff(services, "G001")
    async with services.db.transaction() as s:
        store = await s.scalar(select(Store))
        s.add(
            RentalUnit(
                code="ONLY-1",
                store_id=store.id,
                category="冰箱",
                brand="海尔",
                grade="A",
                monthly_fee_fen=9900,
                deposit_fen=30000,
            )
        )
    for user, phone in (("a", "13812345670"), ("b", "13812345671")):
        for text in ("租台冰箱", "3个月", "徐汇区", "是", "明天上午", ADDRESS, phone):
            await talk(services, text, user)
    assert "租好啦" in await talk(services, "确认", "a")
    second = await talk(services, "确认", "b")
    assert "刚刚被别人租走了" in second and "都租出去了" in second
    assert len(await rows(services, RentalContract)) == 1
