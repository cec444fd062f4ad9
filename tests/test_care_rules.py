"""Each care rule on a frozen day, over a small world seeded through the models."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.care.planner import Planner
from storage.models import (
    ConsumableStage,
    Device,
    OutboxMessage,
    Rating,
    ServiceTicket,
    Supply,
)
from tests.fakes import seed_customer

SH = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 25)  # the suite's frozen today


async def preview(services, day=DAY) -> list[dict]:
    return [x async for x in Planner(services).preview(day)]


async def add(services, *rows):
    async with services.db.transaction() as s:
        for r in rows:
            s.add(r)
            await s.flush()
        return [r.id for r in rows]


async def purifier(services, cid, replaced: date, life: int = 180):
    [did] = await add(
        services,
        Device(
            customer_id=cid,
            category="净水器",
            brand="沁园",
            purchase_date=date(2024, 1, 5),
            warranty_months=12,
        ),
    )
    await add(
        services,
        ConsumableStage(
            device_id=did, stage="pp", name="PP棉滤芯", life_days=life, last_replaced_on=replaced
        ),
    )
    return did


async def test_filter_due_a_week_ahead(services):
    cid = await seed_customer(services)
    await purifier(services, cid, date(2026, 6, 1))  # +180 days = 28 Nov
    [item] = await preview(services)
    assert item["rule"] == "filter_due" and item["customer"] == cid
    assert "PP棉滤芯" in item["text"] and "11月28日" in item["text"]
    assert item["text"].startswith("王女士您好")
    assert await preview(services, date(2026, 11, 20)) == []  # 8 days ahead: not yet
    assert await preview(services, date(2026, 11, 29)) == []  # past due


async def test_consumable_runout(services):
    cid = await seed_customer(services)
    await add(
        services,
        Supply(
            customer_id=cid,
            product="飞鹤星飞帆3段",
            pack_size=800,
            packs=1,
            daily_use=30,
            started_on=date(2026, 11, 1),
        ),
    )  # 26 days → 27 Nov
    [item] = await preview(services)
    assert item["rule"] == "consumable_runout"
    assert "飞鹤星飞帆3段" in item["text"] and "11月27日" in item["text"]


async def test_warranty_expiry_thirty_days_ahead_with_the_extended_warranty_offer(services):
    cid = await seed_customer(services)
    await add(
        services,
        Device(
            customer_id=cid,
            category="冰箱",
            brand="海尔",
            purchase_date=date(2025, 12, 10),
            warranty_months=12,
        ),
        Device(
            customer_id=cid,
            category="空调",
            brand="格力",
            purchase_date=date(2025, 12, 10),
            warranty_months=12,
            extended_until=date(2028, 12, 10),
        ),
    )
    [item] = await preview(services)
    assert item["rule"] == "warranty_expiry"
    assert "海尔冰箱" in item["text"] and "12月10日" in item["text"] and "延保" in item["text"]
    assert await preview(services, date(2026, 11, 9)) == []  # 31 days before


async def test_aged_appliance_on_the_purchase_anniversary_once_a_year(services):
    cid = await seed_customer(services)
    young = await seed_customer(services, name="赵先生", openid="o-young")
    await add(
        services,
        Device(
            customer_id=cid,
            category="洗衣机",
            brand="小天鹅",
            purchase_date=date(2018, 11, 25),
            warranty_months=12,
        ),
        Device(
            customer_id=young,
            category="洗衣机",
            brand="小天鹅",
            purchase_date=date(2019, 11, 25),
            warranty_months=12,
        ),
    )
    [item] = await preview(services)
    assert (item["rule"], item["customer"]) == ("aged_appliance", cid)
    assert "8年" in item["text"] and "以旧换新" in item["text"]
    await Planner(services).run(DAY)
    assert await preview(services) == []


async def test_post_service_rating_next_day_and_revisit_on_day_30(services):
    cid = await seed_customer(services)
    rated = await seed_customer(services, name="钱先生", openid="o-rated")
    t1, t2, t3 = await add(
        services,
        ServiceTicket(
            number="R1",
            kind="repair",
            customer_id=cid,
            status="done",
            done_at=datetime(2026, 11, 24, 15, 0, tzinfo=SH),
        ),
        ServiceTicket(
            number="R2",
            kind="repair",
            customer_id=rated,
            status="done",
            done_at=datetime(2026, 11, 24, 9, 0, tzinfo=SH),
        ),
        ServiceTicket(
            number="C3",
            kind="cleaning",
            customer_id=cid,
            category="空调",
            status="done",
            done_at=datetime(2026, 10, 26, 16, 0, tzinfo=SH),
        ),
    )
    await add(services, Rating(ticket_id=t2, customer_id=rated, stars=5))
    items = await preview(services)
    assert {(i["customer"], i["rule"]) for i in items} == {(cid, "post_service")}
    texts = sorted(i["text"] for i in items)
    assert any("维修" in t and "打个分" in t for t in texts)
    assert any("清洗" in t and "空调" in t for t in texts)


async def test_seasonal_air_conditioner_cleaning_in_may(services):
    cid = await seed_customer(services)
    await add(
        services,
        Device(
            customer_id=cid,
            category="空调",
            brand="格力",
            purchase_date=date(2024, 3, 1),
            warranty_months=72,
        ),
    )
    [item] = await preview(services, date(2026, 5, 10))
    assert item["rule"] == "seasonal" and "空调清洗" in item["text"]


async def test_festival_new_years_eve_and_spring_festival(services):
    cid = await seed_customer(services, last_inbound_at=datetime(2026, 2, 15, 20, 0, tzinfo=SH))
    [eve] = await preview(services, date(2026, 2, 16))
    assert eve["rule"] == "festival" and "除夕快乐" in eve["text"]
    [spring] = await preview(services, date(2026, 2, 17))
    assert "新春快乐" in spring["text"] and spring["customer"] == cid


async def test_birthdays_and_home_anniversary(services):
    cid = await seed_customer(
        services,
        birthday=date(1990, 11, 25),
        baby_birthday=date(2024, 11, 25),
        home_since=date(2020, 11, 25),
    )
    items = await preview(services)
    rules = sorted(i["rule"] for i in items)
    # three greetings due, but the weekly cap of 2 holds them to two
    assert len(items) == 2 and set(rules) <= {"birthday", "home_anniversary"}
    assert {i["customer"] for i in items} == {cid}
    services.settings.care["weekly_cap"] = 5
    texts = " ".join(i["text"] for i in await preview(services))
    assert "生日快乐" in texts and "宝宝今天2岁" in texts and "6周年" in texts


async def test_a_29_february_birthday_is_kept_on_28_february(services):
    await seed_customer(services, birthday=date(1992, 2, 29))
    [item] = await preview(services, date(2027, 2, 28))
    assert item["rule"] == "birthday"
    assert await preview(services, date(2027, 3, 1)) == []


async def test_solar_terms_are_off_by_default(services):
    await seed_customer(services, last_inbound_at=datetime(2026, 12, 21, 9, 0, tzinfo=SH))
    assert await preview(services, date(2026, 12, 22)) == []
    services.settings.care["rules"]["solar_term"]["enabled"] = True
    [item] = await preview(services, date(2026, 12, 22))
    assert item["rule"] == "solar_term" and "冬至" in item["text"]


async def test_run_writes_the_outbox_once_and_preview_writes_nothing(services):
    cid = await seed_customer(services)
    await purifier(services, cid, date(2026, 6, 1))
    await preview(services)
    async with services.db.session() as s:
        assert await s.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    first = await Planner(services).run(DAY)
    again = await Planner(services).run(DAY)
    assert first["by_rule"] == {"filter_due": 1} and again["planned"] == 0
    async with services.db.session() as s:
        [row] = (await s.scalars(select(OutboxMessage))).all()
    assert row.idem_key.startswith(f"care:filter_due:{cid}:")
    assert row.status == "pending" and row.kind == "lifecycle"
    assert row.not_before == datetime(2026, 11, 25, 10, 0, tzinfo=SH)
    assert row.payload["openid"] == "openid-1" and row.payload["guide_userid"] == "G001"


async def test_an_unknown_placeholder_is_refused_with_the_allowed_ones(services):
    import pytest

    from bot.care.template import TemplateError

    services.settings.care["rules"]["filter_due"]["text"] = "{name}您好，{phone}"
    with pytest.raises(TemplateError, match=r"care.rules.filter_due.text.*phone.*stage_name"):
        Planner(services)
