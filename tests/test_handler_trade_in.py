"""Trade-in conversations: quote, apply (ticket + request + the guide told), and the unhappy
paths: cancel half-way, a category we do not take, a future purchase year, a budget too small,
no subsidy for a grade-3 unit, and a second subsidy in the same period."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import pytest
from business_config import build
from test_dialog_helpers import rows, say, seed_customer, seed_device, seed_staff

from bot.context import Services
from storage.models import Customer, OutboxMessage, ServiceTicket, TradeInRequest
from tests.conftest import NOW

ADDRESS = "浦东新区张江路88弄3号501室"


@pytest.fixture
async def svc(settings) -> AsyncIterator[Services]:
    s = build(settings, NOW)
    yield s
    await s.close()


async def talk(svc: Services, lines: list[str], user: str = "u1") -> list[str]:
    return [await say(svc, line, user=user) for line in lines]


async def test_quote_then_apply_writes_one_visit_and_tells_the_guide(svc):
    await seed_staff(svc, "G001")
    await seed_customer(svc, "u1", name="王女士", phone="13800001111", address=ADDRESS)
    r = await talk(svc, ["我想以旧换新，家里有台旧空调", "格力的", "用了5年", "还能用", "一般"])
    assert "牌子" in r[0] and "几年" in r[1] and "正常使用" in r[2] and "成色" in r[3]
    assert r[4] == "新机还是换一台空调吗？"
    r = await talk(svc, ["是", "一级", "3000"])
    assert "几级能效" in r[0] and "一级补20%" in r[0]
    assert "预算" in r[1] and "酷省电KFR-35GW-N8KS1-1" in r[1]
    quote = r[2]
    # 1500 × 0.45 (5 years) × 0.8 (一般) = 540; subsidy 20% of 2799 = 559.80
    assert "旧机：格力空调，用了5年，能正常用，成色一般" in quote
    assert "新机：美的 酷省电KFR-35GW-N8KS1-1（一级能效）" in quote
    for line in (
        "新机价格：¥2,799.00",
        "旧机抵扣：-¥540.00",
        "政府补贴：-¥559.80",
        "您需支付：¥1,699.20",
    ):
        assert line in quote
    assert f"还是上门到 {ADDRESS} 吗？" in quote
    confirm = await say(svc, "是")
    assert "请核对" in confirm and "¥1,699.20" in confirm and "13800001111" in confirm
    done = await say(svc, "确认")
    assert "T20261125-0001" in done and "¥1,699.20" in done

    [ticket] = await rows(svc, ServiceTicket)
    assert (ticket.kind, ticket.number, ticket.address) == ("trade_in", "T20261125-0001", ADDRESS)
    assert "回收旧空调" in ticket.symptom and "安装新空调" in ticket.symptom
    [req] = await rows(svc, TradeInRequest)
    assert req.number == ticket.number and req.ticket_id == ticket.id
    assert (req.old_category, req.old_brand, req.old_age_years) == ("空调", "格力", 5)
    assert (req.old_working, req.old_condition) == (True, "一般")
    assert (req.new_category, req.new_energy_grade) == ("空调", 1)
    assert (req.new_price_fen, req.old_value_fen, req.subsidy_fen, req.pay_fen) == (
        279900,
        54000,
        55980,
        169920,
    )
    assert req.policy_id == "gov-2026-h2" and req.status == "applied"
    [note] = await rows(svc, OutboxMessage, OutboxMessage.channel == "work_app")
    assert note.recipient == "G001" and "T20261125-0001" in note.text and "¥540.00" in note.text
    from bot.work.router import run_command
    from bot.work.staff import who

    tasks = (await run_command(svc, await who(svc, "G001"), "任务")).text
    assert "以旧换新回电约上门：T20261125-0001" in tasks, tasks
    # the next "进度" shows it
    assert "T20261125-0001" in await say(svc, "查一下进度")


async def test_a_grade_3_unit_gets_no_subsidy_and_the_quote_says_why(svc):
    await seed_customer(svc, "u1", address=ADDRESS)
    quote = (
        await talk(svc, ["旧空调想换新", "跳过", "2019年买的", "坏了", "差", "对", "三级", "2000"])
    )[-1]
    # 2026-2019 = 7 years → 0.38; × 0.6 (差) × 0.4 (broken) = 136.8 → 136
    assert "旧机：空调，用了7年，已不能用，成色差" in quote
    assert "旧机抵扣：-¥136.00" in quote and "政府补贴" not in quote
    assert "您需支付：¥1,463.00" in quote
    assert "本次不能享受补贴：补贴只给一级、二级能效的新机，所选是三级能效。" in quote
    assert await say(svc, "算了") == "好的，以旧换新已取消。还有什么可以帮您？"
    assert await rows(svc, TradeInRequest) == []


async def test_a_second_subsidy_for_the_same_category_in_the_period_is_refused(svc):
    cid = await seed_customer(svc, "u1", address=ADDRESS, phone="13800001111")
    async with svc.db.transaction() as s:
        s.add(
            TradeInRequest(
                number="T20260901-0001",
                customer_id=cid,
                old_category="空调",
                new_category="空调",
                subsidy_fen=50000,
                policy_id="gov-2026-h2",
            )
        )
    quote = (
        await talk(svc, ["空调以旧换新", "美的", "3年", "能用", "好", "是", "一级", "预算3500"])
    )[-1]
    assert "新机：格力 云佳KFR-35GW-NhGd1B（一级能效）" in quote
    assert "您在本期（2026-07-01至2026-12-31）已经享受过一次空调补贴" in quote
    assert "政府补贴" not in quote
    await talk(svc, ["是", "确认"])
    new = (await rows(svc, TradeInRequest))[-1]
    assert new.subsidy_fen == 0 and new.pay_fen == 329900 - 93000


async def test_a_category_we_do_not_take_is_named_and_asked_again(svc):
    await seed_customer(svc, "u1")
    first = await say(svc, "以旧换新")
    assert "旧家电是什么" in first
    no = await say(svc, "电脑")
    assert no.startswith("抱歉，暂不回收电脑") and "空调" in no
    assert "牌子" in await say(svc, "冰箱")


async def test_a_purchase_year_in_the_future_is_refused(svc):
    await seed_customer(svc, "u1")
    r = await talk(svc, ["旧冰箱以旧换新", "海尔", "2027年买的"])
    assert r[-1] == "购买年份不能晚于今年哦，是哪一年买的？"
    assert "正常使用" in await say(svc, "2020年")


async def test_a_budget_below_every_unit_says_what_the_cheapest_is(svc):
    await seed_customer(svc, "u1")
    r = await talk(svc, ["旧空调以旧换新", "格力", "8年", "能用", "好", "是", "一级", "500"])
    assert r[-1] == (
        "¥500.00以内暂时没有一级能效的空调，最实惠的是美的 酷省电KFR-35GW-N8KS1-1，"
        "¥2,799.00。可以再说一个预算，或直接说型号～"
    )
    quote = await say(svc, "格力 云佳KFR-35GW-NhGd1B")
    assert "新机价格：¥3,299.00" in quote


async def test_cancel_half_way_writes_nothing(svc):
    await seed_customer(svc, "u1")
    r = await talk(svc, ["以旧换新", "空调", "格力", "算了"])
    assert r[-1] == "好的，以旧换新已取消。还有什么可以帮您？"
    assert await rows(svc, TradeInRequest) == [] and await rows(svc, ServiceTicket) == []


async def test_a_new_customer_gives_address_and_phone_which_are_kept(svc):
    cid = await seed_customer(svc, "u1")
    r = await talk(svc, ["旧冰箱换新冰箱", "容声", "10年", "还能用", "一般", "一级", "随便"])
    assert "新机：海尔 BCD-510WGHTD14S8U1（一级能效）" in r[-1]
    assert "请告诉我上门地址" in r[-1]
    assert "联系电话" in await say(svc, ADDRESS)
    assert "请核对" in await say(svc, "13900002222")
    assert "T20261125-0001" in await say(svc, "确认")
    async with svc.db.session() as s:
        c = await s.get(Customer, cid)
    assert (c.phone, c.address) == ("13900002222", ADDRESS)
    [req] = await rows(svc, TradeInRequest)
    # 1200 × 0.18 (10 years) × 0.8 = 172.8 → 172; 20% of 3999 = 799.80
    assert (req.old_value_fen, req.subsidy_fen, req.pay_fen) == (17200, 79980, 302720)


async def test_a_registered_old_unit_is_offered_and_its_brand_and_age_used(svc):
    cid = await seed_customer(svc, "u1", address=ADDRESS, phone="13800001111")
    await seed_device(svc, cid, category="空调", brand="格力", purchase_date=date(2015, 6, 1))
    await seed_device(svc, cid, category="冰箱", brand="海尔", purchase_date=date(2022, 6, 1))
    offer = await say(svc, "以旧换新")
    assert "是想换掉您登记的格力空调（2015年买的）吗？" in offer
    r = await talk(svc, ["是", "能用", "好", "是", "一级", "3500"])
    assert "正常使用" in r[0]  # brand and age known: straight to whether it works
    # 11 years → 0.18 × 1500 = 270
    assert "旧机：格力空调，用了11年，能正常用，成色好" in r[-1]
    assert "旧机抵扣：-¥270.00" in r[-1]


async def test_declining_the_registered_unit_asks_what_it_is(svc):
    cid = await seed_customer(svc, "u1")
    await seed_device(svc, cid, category="空调", brand="格力", purchase_date=date(2015, 6, 1))
    await say(svc, "以旧换新")
    assert "您想换掉的旧家电是什么" in await say(svc, "不是")
    assert "牌子" in await say(svc, "冰箱")


async def test_a_catalog_model_named_up_front_sets_the_new_unit(svc):
    await seed_customer(svc, "u1", address=ADDRESS)
    r = await talk(svc, ["旧冰箱想换海信65E5N", "海尔", "6年", "能用", "好"])
    assert r[-1] == "新机是换一台电视吗？"
    quote = await say(svc, "是")
    assert "新机：海信 65E5N（一级能效）" in quote and "新机价格：¥3,999.00" in quote
    # the pinned policy covers 空调、冰箱、净水器 only
    assert "本次不能享受补贴：电视不在「2026年下半年家电以旧换新补贴」的补贴品类内。" in quote
