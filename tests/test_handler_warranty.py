"""Warranty conversations: the status of every device, extended warranty for units in cover,
full cover for older ones, nothing for the too old or undated, no devices, cancel."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import pytest
from business_config import build
from test_dialog_helpers import rows, say, seed_customer, seed_device, seed_staff

from bot.context import Services
from storage.models import Device, Entitlement, OutboxMessage
from tests.conftest import NOW


@pytest.fixture
async def svc(settings) -> AsyncIterator[Services]:
    s = build(settings, NOW)
    yield s
    await s.close()


async def two_devices(svc) -> tuple[int, int, int]:
    cid = await seed_customer(svc, "u1", name="王女士", phone="13800001111")
    ac = await seed_device(
        svc,
        cid,
        category="空调",
        brand="格力",
        model="KFR-35GW",
        purchase_date=date(2025, 3, 1),
        warranty_months=36,
        location="客厅",
    )
    fridge = await seed_device(
        svc,
        cid,
        category="冰箱",
        brand="西门子",
        purchase_date=date(2019, 3, 1),
        warranty_months=12,
    )
    return cid, ac, fridge


async def test_status_of_every_device_with_a_hint_at_the_plans(svc):
    await two_devices(svc)
    r = await say(svc, "查一下保修")
    assert r == (
        "您登记的设备：\n"
        "· 客厅的格力空调（KFR-35GW）：在保，保修至2028-03-01，还剩462天\n"
        "· 西门子冰箱：已过保（2020-03-01到期）\n"
        "想多一份保障，可以办延保、全保，¥199.00起。回复“办延保”看看方案～"
    )


async def test_an_extension_for_a_unit_in_warranty(svc):
    await seed_staff(svc, "G001")
    _, ac, _ = await two_devices(svc)
    plans = await say(svc, "办延保")
    for line in (
        "1. 格力空调 延保1年 ¥199.00",
        "2. 格力空调 延保2年 ¥349.00",
        "3. 格力空调 延保3年 ¥469.00",
        "4. 西门子冰箱 全保1年 ¥249.00",
    ):
        assert line in plans
    assert await say(svc, "2") == (
        "请核对：格力空调 延保2年，保障期 2028-03-02 至 2030-03-01，费用 ¥349.00。\n"
        "确认办理请回复“确认”。"
    )
    done = await say(svc, "确认")
    assert "2030-03-01" in done and "¥349.00" in done
    [e] = await rows(svc, Entitlement)
    assert (e.kind, e.device_id, e.valid_from, e.valid_until, e.price_fen) == (
        "extended_warranty",
        ac,
        date(2028, 3, 2),
        date(2030, 3, 1),
        34900,
    )
    assert e.status == "offered" and "支付后生效" in done
    [d] = await rows(svc, Device, Device.id == ac)
    assert d.extended_until is None  # offered, not paid: no cover yet
    [note] = await rows(svc, OutboxMessage, OutboxMessage.channel == "work_app")
    assert note.recipient == "G001" and "收款 ¥349.00" in note.text
    # the store marks it paid: active, the cover extended, the customer told
    from handlers import store_actions

    async with svc.db.transaction() as s:
        await store_actions.move(svc, s, "warranty", await s.get(Entitlement, e.id), "active", "t")
    [e] = await rows(svc, Entitlement)
    [d] = await rows(svc, Device, Device.id == ac)
    assert e.status == "active" and d.extended_until == date(2030, 3, 1)
    told = [m.text for m in await rows(svc, OutboxMessage) if m.channel == "mp_kf"]
    assert any("延保已生效" in t and "2030-03-01" in t for t in told), told
    # now it says 延保 and is no longer offered another extension
    after = await say(svc, "保修")
    assert "延保至2030-03-01" in after and "可以办全保，¥249.00起" in after


async def test_full_cover_for_an_out_of_warranty_unit(svc):
    _, _, fridge = await two_devices(svc)
    await say(svc, "全保")
    assert "冰箱 全保1年" in await say(svc, "4")
    await say(svc, "确认")
    [e] = await rows(svc, Entitlement)
    assert (e.kind, e.device_id, e.valid_from, e.valid_until, e.price_fen) == (
        "full_cover",
        fridge,
        date(2026, 11, 25),
        date(2027, 11, 24),
        24900,
    )
    from handlers import store_actions

    async with svc.db.transaction() as s:
        await store_actions.move(svc, s, "warranty", await s.get(Entitlement, e.id), "active", "t")
    assert "· 西门子冰箱：在保，全保至2027-11-24，还剩364天" in await say(svc, "查保修")


async def test_too_old_or_undated_units_get_their_status_and_no_plans(svc):
    cid = await seed_customer(svc, "u1")
    await seed_device(svc, cid, category="冰箱", brand="海尔", purchase_date=date(2012, 1, 1))
    await seed_device(svc, cid, category="空调", brand="美的")
    expected = (
        "您登记的设备：\n"
        "· 海尔冰箱：已过保（2013-01-01到期）\n"
        "· 美的空调：购买日期未登记，暂时查不到保修期"
    )
    assert await say(svc, "查保修") == expected
    assert (await say(svc, "办延保")).startswith(expected)
    assert "保修" in await say(svc, "你好")  # no form left pending: the menu answers


async def test_no_devices_says_how_to_register(svc):
    await seed_customer(svc, "u1")
    assert "您还没有登记设备哦。回复“登记”" in await say(svc, "查保修")
    assert "您还没有登记设备哦" in await say(svc, "办延保")


async def test_declining_the_plans_writes_nothing(svc):
    await two_devices(svc)
    await say(svc, "办延保")
    assert await say(svc, "不用了") == "好的，办延保已取消。还有什么可以帮您？"
    assert await rows(svc, Entitlement) == []
