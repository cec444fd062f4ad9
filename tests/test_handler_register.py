"""Registering a product: every field asked in turn, the invoice photo kept, warranty length
from the catalog; a future purchase date refused, a serial already registered, cancel."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import pytest
from business_config import build
from test_dialog_helpers import rows, say, seed_customer, seed_device

from bot.context import Services
from storage.models import Device
from storage.repos import devices
from tests.conftest import NOW


@pytest.fixture
async def svc(settings) -> AsyncIterator[Services]:
    s = build(settings, NOW)
    yield s
    await s.close()


async def test_register_step_by_step_with_an_invoice_photo(svc):
    cid = await seed_customer(svc, "u1")
    assert "什么电器" in await say(svc, "登记产品")
    assert "牌子" in await say(svc, "空调")
    assert "型号" in await say(svc, "格力")
    assert "哪天买的" in await say(svc, "KFR-35GW/NhAa1")
    assert "序列号" in await say(svc, "2025年3月15日")
    assert "发票" in await say(svc, "sn20250315ab")
    summary = await say(svc, "", kind="image", media_id="MEDIA-INVOICE-1")
    assert summary == (
        "请核对一下：\n品类：空调\n品牌：格力\n型号：KFR-35GW/NhAa1\n购买日期：2025-03-15\n"
        "序列号：SN20250315AB\n发票：已收到照片\n没问题请回复“确认”，要改哪项直接告诉我。"
    )
    done = await say(svc, "确认")
    assert done.startswith(
        "登记好啦！格力空调（KFR-35GW/NhAa1）\n保修：在保，保修至2028-03-15，还剩476天"
    )
    [d] = await rows(svc, Device)
    assert (d.customer_id, d.category, d.brand, d.model, d.serial) == (
        cid,
        "空调",
        "格力",
        "KFR-35GW/NhAa1",
        "SN20250315AB",
    )
    assert (d.purchase_date, d.warranty_months, d.invoice_media_id) == (
        date(2025, 3, 15),
        36,
        "MEDIA-INVOICE-1",
    )
    assert "在保，保修至2028-03-15" in await say(svc, "查保修")


async def test_a_future_purchase_date_is_refused(svc):
    await seed_customer(svc, "u1")
    await say(svc, "登记一台格力空调")
    await say(svc, "跳过")  # model is optional
    assert (
        await say(svc, "2027年1月1日")
        == "购买日期不能晚于今天哦，是哪天买的？比如“2025年3月15日”。"
    )
    assert "序列号" in await say(svc, "去年3月")
    await say(svc, "跳过")
    summary = await say(svc, "跳过")
    assert "型号：无" in summary and "购买日期：2025-03-01" in summary and "发票：无" in summary
    await say(svc, "确认")
    [d] = await rows(svc, Device)
    assert (d.model, d.serial, d.invoice_media_id, d.purchase_date) == (
        None,
        None,
        None,
        date(2025, 3, 1),
    )


async def test_everything_in_one_message(svc):
    await seed_customer(svc, "u1")
    r = await say(svc, "登记 格力空调 KFR-35GW/NhAa1 2024年5月1日买的")
    assert "序列号" in r


async def test_a_serial_already_registered_is_refused(svc):
    other = await seed_customer(svc, "u2")
    await seed_device(svc, other, category="冰箱", serial="DUP12345")
    await seed_customer(svc, "u1")
    await say(svc, "登记一台海尔冰箱")
    await say(svc, "BCD-470")
    await say(svc, "2025-06-01")
    assert (
        await say(svc, "dup12345") == "这个序列号已经登记过了，请核对一下；没有序列号回复“跳过”。"
    )


async def test_cancel_half_way_writes_nothing(svc):
    await seed_customer(svc, "u1")
    await say(svc, "登记产品")
    await say(svc, "冰箱")
    assert await say(svc, "算了") == "好的，登记产品已取消。还有什么可以帮您？"
    assert await rows(svc, Device) == []


async def test_a_registered_purifier_gets_its_filter_stages_for_reminders(svc):
    cid = await seed_customer(svc, "u1")
    await say(svc, "登记净水器")
    for line in ["沁园", "QR-R5-05", "2026年1月10日", "跳过", "跳过"]:
        await say(svc, line)
    done = await say(svc, "确认")
    assert "保修：在保，保修至2027-01-10，还剩46天" in done
    assert "滤芯：PP棉滤芯已到期，回复“买滤芯”就能下单～" in done
    [d] = await rows(svc, Device)
    async with svc.db.session() as s:
        full = await devices.get_for_customer(s, cid, d.id)
    assert {st.stage: (st.last_replaced_on, st.life_days) for st in full.stages} == {
        "pp": (date(2026, 1, 10), 182),
        "carbon": (date(2026, 1, 10), 365),
        "ro": (date(2026, 1, 10), 730),
        "post": (date(2026, 1, 10), 365),
    }
    assert "PP棉滤芯 ¥69.00（已超期137天）" in await say(svc, "买滤芯")
