"""Rental reminders (issue 20): 3 days before each month's rent, 7 days before the end (renew,
buy out, pick-up), planned once, service kind (no weekly cap), none after the end."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot.care.planner import Planner
from storage.models import OutboxMessage, RentalUnit, Store
from storage.repos import rentals
from tests.fakes import seed_customer

START = date(2026, 10, 28)  # rent due 28 Nov, 28 Dec; ends 28 Jan 2027 (3 months)


async def preview(services, day: date) -> list[dict]:
    return [x async for x in Planner(services).preview(day)]


async def contract(services, cid: int, months: int = 3) -> int:
    async with services.db.transaction() as s:
        store = Store(code="S9", name="徐汇店", city="上海", address="上海市徐汇区")
        s.add(store)
        await s.flush()
        unit = RentalUnit(
            code="U1",
            store_id=store.id,
            category="冰箱",
            brand="海尔",
            grade="A",
            monthly_fee_fen=8950,
            deposit_fen=30000,
            residual_fen=50000,
        )
        s.add(unit)
        await s.flush()
        assert await rentals.claim(s, unit.id, services.clock.now())
        c = await rentals.create_contract(
            s,
            customer_id=cid,
            unit=unit,
            start_on=START,
            months=months,
            now=services.clock.now(),
            source_key=None,
        )
        return c.id


async def test_rent_due_three_days_before_each_month_but_not_the_first(services):
    cid = await seed_customer(services)
    await contract(services, cid)
    [item] = await preview(services, date(2026, 11, 25))
    assert item["rule"] == "rental_due" and item["customer"] == cid
    assert "海尔冰箱" in item["text"] and "¥89.50" in item["text"] and "11月28日" in item["text"]
    assert await preview(services, date(2026, 11, 24)) == []
    [dec] = await preview(services, date(2026, 12, 25))
    assert "12月28日" in dec["text"]
    assert await preview(services, date(2026, 10, 25)) == []  # the first month: paid at delivery


async def test_seven_days_before_the_end_renew_buy_out_or_pick_up(services):
    cid = await seed_customer(services)
    await contract(services, cid)
    [item] = await preview(services, date(2027, 1, 21))
    assert item["rule"] == "rental_end"
    text = item["text"]
    assert "1月28日" in text and "续租" in text and "¥500" in text and "退租" in text


async def test_reminders_are_planned_once_and_never_capped(services):
    cid = await seed_customer(services)
    await contract(services, cid)
    planner = Planner(services)
    day = date(2026, 11, 25)
    first = await planner.run(day)
    again = await planner.run(day)
    assert first["by_rule"] == {"rental_due": 1} and again["planned"] == 0
    async with services.db.session() as s:
        [msg] = list(await s.scalars(select(OutboxMessage)))
    assert msg.kind == "service" and msg.rule == "rental_due"


async def test_a_renewed_contract_is_reminded_before_its_new_end_only(services):
    cid = await seed_customer(services)
    k = await contract(services, cid)
    async with services.db.transaction() as s:
        c = await rentals.contract(s, k)
        await rentals.renew(s, c, 2)  # ends 28 Mar 2027
    assert [i["rule"] for i in await preview(services, date(2027, 1, 21))] == []
    assert [i["rule"] for i in await preview(services, date(2027, 1, 25))] == ["rental_due"]
    assert [i["rule"] for i in await preview(services, date(2027, 3, 21))] == ["rental_end"]


async def test_nothing_after_the_contract_ended(services):
    cid = await seed_customer(services)
    k = await contract(services, cid)
    async with services.db.transaction() as s:
        c = await rentals.contract(s, k)
        await rentals.end(s, c, services.clock.now(), date(2026, 11, 20))
    assert await preview(services, date(2026, 11, 25)) == []
    assert await preview(services, date(2027, 1, 21)) == []


async def test_a_full_week_of_care_messages_does_not_hold_the_rent_reminder(services):
    cid = await seed_customer(services)
    await contract(services, cid)
    async with services.db.transaction() as s:
        for i in range(3):  # the weekly cap (2) is used up by festival greetings
            s.add(
                OutboxMessage(
                    customer_id=cid,
                    channel="mp_kf",
                    recipient="u1",
                    kind="festival",
                    text=f"节日{i}",
                    status="sent",
                    not_before=services.clock.now(),
                )
            )
    [item] = await preview(services, date(2026, 11, 25))
    assert item["rule"] == "rental_due"
