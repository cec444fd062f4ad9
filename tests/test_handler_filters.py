"""Filter reorder conversations: the due set proposed with prices, the order written, fitting
recorded; and the unhappy paths: no registered purifier, an unknown model, cancel half-way."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta

import pytest
from business_config import build
from test_dialog_helpers import rows, say, seed_customer, seed_device, seed_staff

from bot.context import Services
from handlers.catalog import Catalog
from handlers.filter_schedule import device_schedule
from handlers.filters import order_fitted
from storage.models import ConsumableOrder, ConsumableStage, Handoff, OutboxMessage
from storage.repos import devices
from tests.conftest import NOW

ADDRESS = "浦东新区张江路88弄3号501室"
TODAY = date(2026, 11, 25)


@pytest.fixture
async def svc(settings) -> AsyncIterator[Services]:
    s = build(settings, NOW)
    yield s
    await s.close()


async def guide_says(svc: Services, userid: str, text: str) -> str:
    from bot.work.router import run_command
    from bot.work.staff import who

    staff = await who(svc, userid)
    return (await run_command(svc, staff, text)).text


async def talk(svc: Services, lines: list[str], user: str = "u1") -> list[str]:
    return [await say(svc, line, user=user) for line in lines]


async def purifier(svc, cid: int, replaced: dict[str, date]) -> int:
    did = await seed_device(
        svc,
        cid,
        category="净水器",
        brand="美的",
        model="MRO1891-400G",
        install_date=date(2024, 6, 1),
        purchase_date=date(2024, 6, 1),
        location="厨房",
    )
    lives = {"pp": 180, "carbon": 365, "ro": 730}
    async with svc.db.transaction() as s:
        for stage, on in replaced.items():
            s.add(
                ConsumableStage(
                    device_id=did,
                    stage=stage,
                    name=stage,
                    life_days=lives[stage],
                    last_replaced_on=on,
                )
            )
    return did


async def test_the_due_stages_are_proposed_and_ordered_with_fitting(svc):
    await seed_staff(svc, "G001")
    cid = await seed_customer(svc, "u1", phone="13800001111", address=ADDRESS)
    did = await purifier(
        svc,
        cid,
        {
            "pp": TODAY - timedelta(days=174),
            "carbon": TODAY - timedelta(days=200),
            "ro": TODAY - timedelta(days=300),
        },
    )
    offer = await say(svc, "我要买滤芯")
    assert offer.startswith("您家厨房的美的净水器（MRO1891-400G）该换这些了：PP棉滤芯，共¥59.00。")
    assert "1. PP棉滤芯 ¥59.00（6天后到期）" in offer
    assert "2. 活性炭滤芯 ¥89.00（165天后到期）" in offer
    assert "3. RO反渗透膜 ¥459.00（430天后到期）" in offer
    r = await talk(svc, ["1 2", "2支"])
    assert "几支" in r[0]
    assert r[1] == f"还是寄到 {ADDRESS} 吗？"
    r = await talk(svc, ["是", "要"])
    assert "师傅上门换（免费）" in r[0]
    assert "· PP棉滤芯 ×2 ¥118.00" in r[1] and "· 活性炭滤芯 ×2 ¥178.00" in r[1]
    assert "合计：¥296.00" in r[1] and "上门安装（免费）" in r[1]
    done = await say(svc, "确认")
    assert done.startswith("下单好啦！订单号 F20261125-0001，合计 ¥296.00。")
    [order] = await rows(svc, ConsumableOrder)
    assert order.number == "F20261125-0001" and order.device_id == did
    assert order.items == [
        {"stage": "pp", "name": "PP棉滤芯", "qty": 2, "price_fen": 5900},
        {"stage": "carbon", "name": "活性炭滤芯", "qty": 2, "price_fen": 8900},
    ]
    assert (order.total_fen, order.with_install, order.address, order.phone) == (
        29600,
        True,
        ADDRESS,
        "13800001111",
    )
    [note] = await rows(svc, OutboxMessage, OutboxMessage.channel == "work_app")
    assert note.recipient == "G001" and "F20261125-0001" in note.text and "上门安装" in note.text
    # and it is on the guide's list for today, not only a notice to read
    tasks = await guide_says(svc, "G001", "任务")
    assert "1. 约上门换滤芯：F20261125-0001" in tasks, tasks

    # fitted a week later: the order closes and the next due dates move
    catalog = Catalog(svc.settings.catalog)
    async with svc.db.transaction() as s:
        o = await s.get(ConsumableOrder, order.id)
        await order_fitted(s, catalog, o, date(2026, 12, 2))
    async with svc.db.session() as s:
        d = await devices.get_for_customer(s, cid, did)
        st = {x.key: x for x in device_schedule(catalog, d, TODAY)}
        assert (await s.get(ConsumableOrder, order.id)).status == "done"
    assert st["pp"].due_on == date(2026, 12, 2) + timedelta(days=180)
    assert st["carbon"].due_on == date(2027, 12, 2)
    assert st["ro"].due_on == TODAY - timedelta(days=300) + timedelta(days=730)


async def test_yes_takes_the_due_set_and_self_fitting(svc):
    cid = await seed_customer(svc, "u1", phone="13800001111", address=ADDRESS)
    await purifier(
        svc, cid, {"pp": date(2025, 1, 1), "carbon": date(2025, 1, 1), "ro": date(2025, 6, 1)}
    )
    r = await talk(svc, ["买滤芯", "好", "1", "是", "自己换", "确认"])
    assert "该换这些了：PP棉滤芯、活性炭滤芯，共¥148.00" in r[0]
    assert "安装：自己换" in r[-2]
    [order] = await rows(svc, ConsumableOrder)
    assert [i["stage"] for i in order.items] == ["pp", "carbon"] and not order.with_install
    assert order.total_fen == 14800


async def test_nothing_due_says_when_the_next_one_is(svc):
    cid = await seed_customer(svc, "u1")
    await purifier(svc, cid, {"pp": TODAY - timedelta(days=10), "carbon": TODAY, "ro": TODAY})
    r = await say(svc, "买滤芯")
    assert "滤芯都还没到期哦，最近的是PP棉滤芯，还有170天。" in r
    assert "回复序号" in r


async def test_no_registered_purifier_asks_the_model_and_lists_its_stages(svc):
    await seed_customer(svc, "u1")
    first = await say(svc, "买滤芯")
    assert first.startswith("没查到您登记的净水器。请告诉我净水器的型号")
    stages = await say(svc, "qr-r5-05")
    assert stages.startswith("QR-R5-05的滤芯：")
    assert "1. PP棉滤芯 ¥69.00（建议6个月一换）" in stages
    assert "3. RO反渗透膜 ¥399.00（建议24个月一换）" in stages
    r = await talk(svc, ["1和3", "1", ADDRESS, "13900002222", "自己换", "确认"])
    assert "合计：¥468.00" in r[-2]
    [order] = await rows(svc, ConsumableOrder)
    assert order.device_id is None and [i["stage"] for i in order.items] == ["pp", "ro"]


async def test_an_unknown_model_is_said_and_a_person_offered(svc):
    await seed_customer(svc, "u1")
    await say(svc, "买滤芯")
    unknown = await say(svc, "ABC-123")
    assert unknown.startswith("暂时没有找到型号“ABC-123”的滤芯资料")
    assert "回复“是”，我帮您转人工客服" in unknown
    await say(svc, "是")
    assert len(await rows(svc, Handoff)) == 1
    assert await rows(svc, ConsumableOrder) == []


async def test_a_registered_purifier_we_have_no_data_for_offers_a_person(svc):
    cid = await seed_customer(svc, "u1")
    await seed_device(svc, cid, category="净水器", brand="安吉尔", model="J2905")
    r = await say(svc, "买滤芯")
    assert r.startswith("您登记的安吉尔净水器（J2905）暂时没有滤芯资料")
    assert "回复“是”就转" in r


async def test_cancel_half_way_writes_nothing(svc):
    cid = await seed_customer(svc, "u1", address=ADDRESS)
    await purifier(svc, cid, {"pp": date(2025, 1, 1)})
    r = await talk(svc, ["买滤芯", "好", "不要了"])
    assert r[-1] == "好的，买滤芯已取消。还有什么可以帮您？"
    assert await rows(svc, ConsumableOrder) == []


async def test_with_two_purifiers_the_customer_picks_one(svc):
    cid = await seed_customer(svc, "u1", phone="13800001111", address=ADDRESS)
    await purifier(svc, cid, {"pp": TODAY})
    second = await seed_device(
        svc,
        cid,
        category="净水器",
        brand="沁园",
        model="QR-R5-05",
        install_date=date(2026, 1, 10),
        location="客厅",
    )
    ask = await say(svc, "买滤芯")
    assert ask.startswith("您登记了几台净水器，给哪台买滤芯？")
    assert "1. 厨房的美的净水器（MRO1891-400G）" in ask and "2. 客厅的沁园净水器（QR-R5-05）" in ask
    offer = await say(svc, "2")
    assert offer.startswith("您家客厅的沁园净水器（QR-R5-05）该换这些了：PP棉滤芯，共¥69.00。")
    await talk(svc, ["好", "1", "是", "自己换", "确认"])
    [order] = await rows(svc, ConsumableOrder)
    assert order.device_id == second and order.total_fen == 6900
