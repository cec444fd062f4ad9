"""Formula (奶粉) reorder, as the README promises: the registered product by the can, priced
from catalog.supplies, to the usual address; never the purifier questions."""

from __future__ import annotations

from datetime import date

from test_dialog_helpers import rows, say, seed_customer, seed_device, seed_staff

from handlers.money import yuan
from storage.models import ConsumableOrder, OutboxMessage, Supply

PRODUCT = "飞鹤星飞帆3段 800g"
ADDRESS = "上海市浦东新区张杨路500弄3号1201室"


async def _family(services, openid: str = "u1") -> int:
    cid = await seed_customer(services, openid, phone="13900210004", address=ADDRESS)
    async with services.db.transaction() as s:
        s.add(
            Supply(
                customer_id=cid,
                product=PRODUCT,
                pack_size=800,
                packs=2,
                daily_use=60,
                started_on=date(2026, 11, 8),
            )
        )
    return cid


def _price(services) -> int:
    return int(services.settings.catalog["supplies"][PRODUCT])


async def test_formula_is_reordered_by_the_can(services):
    await seed_staff(services, "G001")
    await _family(services)
    first = await say(services, "奶粉快吃完了 再帮我订两罐")
    assert first == f"还是寄到 {ADDRESS} 吗？", first
    summary = await say(services, "是")
    assert f"· {PRODUCT} ×2 {yuan(2 * _price(services))}" in summary, summary
    assert "净水器" not in summary and "滤芯" not in summary
    done = await say(services, "确认")
    assert done.startswith("下单好啦！订单号 F"), done
    [order] = await rows(services, ConsumableOrder)
    assert order.items == [
        {"stage": "supply", "name": PRODUCT, "qty": 2, "price_fen": _price(services)}
    ]
    assert order.total_fen == 2 * _price(services) and not order.with_install
    [note] = await rows(services, OutboxMessage, OutboxMessage.channel == "work_app")
    assert "【补货订单】" in note.text and PRODUCT in note.text
    progress = await say(services, "进度")
    assert f"补货订单 {order.number}" in progress, progress


async def test_how_many_is_asked_when_not_said(services):
    await _family(services)
    assert await say(services, "奶粉要补货了") == "需要订几罐？"
    assert await say(services, "3罐") == f"还是寄到 {ADDRESS} 吗？"
    assert f"×3 {yuan(3 * _price(services))}" in await say(services, "是")


async def test_a_purifier_owner_asking_for_filters_still_gets_filters(services):
    cid = await _family(services)
    await seed_device(services, cid, category="净水器", brand="美的", model="MRO1891-400G")
    answer = await say(services, "买滤芯")
    assert PRODUCT not in answer and "罐" not in answer, answer


async def test_formula_nobody_registered_asks_which_one(services):
    await seed_customer(services, "u2", phone="13900219999", address=ADDRESS)
    answer = await say(services, "帮我订一罐奶粉", user="u2")
    assert "奶粉品牌和段数" in answer, answer
    assert await say(services, "飞鹤星飞帆2段 800g", user="u2") == f"还是寄到 {ADDRESS} 吗？"
