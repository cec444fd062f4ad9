"""Sending that respects people: channels, the weekly cap, opt-outs, unfollows, quiet hours."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.care.planner import Planner
from bot.outbox import dispatch_due
from storage.models import (
    ConsumableStage,
    Customer,
    Device,
    OptOut,
    OutboxMessage,
    ServiceTicket,
)
from storage.repos import outbox as outbox_repo
from tests.fakes import seed_customer

SH = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 25)
SPRING = date(2026, 2, 17)


async def preview(services, day=DAY) -> list[dict]:
    return [x async for x in Planner(services).preview(day)]


async def due_stages(services, cid, n):
    async with services.db.transaction() as s:
        dv = Device(customer_id=cid, category="净水器", brand="沁园")
        s.add(dv)
        await s.flush()
        for i in range(n):
            s.add(
                ConsumableStage(
                    device_id=dv.id,
                    stage=f"s{i}",
                    name=f"第{i + 1}级滤芯",
                    life_days=180,
                    last_replaced_on=date(2026, 6, 1),
                )
            )


async def test_channel_by_window_then_template_then_guide(services):
    recent = await seed_customer(
        services,
        name="甲",
        openid="o-recent",
        last_inbound_at=datetime(2026, 11, 24, 9, 0, tzinfo=SH),
    )
    quiet = await seed_customer(
        services,
        name="乙",
        openid="o-quiet",
        last_inbound_at=datetime(2026, 11, 1, 9, 0, tzinfo=SH),
    )
    no_openid = await seed_customer(services, name="丙", openid=None)
    nobody = await seed_customer(services, name="丁", openid=None, guide_userid=None)
    for cid in (recent, quiet, no_openid, nobody):
        await due_stages(services, cid, 1)
    got = {i["customer"]: i["channel"] for i in await preview(services)}
    assert got == {recent: "mp_kf", quiet: "mp_template", no_openid: "guide_task"}


async def test_greetings_never_use_template_messages(services):
    quiet = await seed_customer(services, openid="o-quiet")
    lonely = await seed_customer(services, name="戊", openid="o-lonely", guide_userid=None)
    got = {i["customer"]: i["channel"] for i in await preview(services, SPRING)}
    assert got == {quiet: "guide_task"}  # lonely cannot be reached outside the window
    assert lonely not in got


async def test_weekly_cap_keeps_the_highest_priority_and_exempts_service(services):
    cid = await seed_customer(services, birthday=date(1990, 11, 25))
    await due_stages(services, cid, 3)  # three lifecycle reminders + one birthday
    async with services.db.transaction() as s:
        s.add(
            ServiceTicket(
                number="R9",
                kind="repair",
                customer_id=cid,
                status="done",
                done_at=datetime(2026, 11, 24, 15, 0, tzinfo=SH),
            )
        )
    items = await preview(services)
    assert sorted(i["rule"] for i in items) == ["filter_due", "filter_due", "post_service"]


async def test_weekly_cap_counts_what_went_out_this_week(services):
    cid = await seed_customer(services)
    await due_stages(services, cid, 2)
    async with services.db.transaction() as s:
        await outbox_repo.enqueue(
            s,
            channel="mp_kf",
            recipient="openid-1",
            text="上周的问候",
            kind="festival",
            customer_id=cid,
            not_before=datetime(2026, 11, 21, 10, 0, tzinfo=SH),
        )
    assert len(await preview(services)) == 1
    services.settings.care["weekly_cap"] = 1
    assert await preview(services) == []


async def test_opt_outs_by_kind(services):
    fest = await seed_customer(services, name="甲", openid="o1", birthday=date(1990, 11, 25))
    allout = await seed_customer(services, name="乙", openid="o2", birthday=date(1990, 11, 25))
    await due_stages(services, fest, 1)
    await due_stages(services, allout, 1)
    async with services.db.transaction() as s:
        s.add(OptOut(customer_id=fest, kind="festival"))
        s.add(OptOut(customer_id=allout, kind="all"))
    got = [(i["customer"], i["rule"]) for i in await preview(services)]
    assert got == [(fest, "filter_due")]
    async with services.db.transaction() as s:
        s.add(OptOut(customer_id=fest, kind="reminder"))
    assert await preview(services) == []


async def test_unsubscribed_followers_are_skipped(services):
    gone = await seed_customer(services)
    await due_stages(services, gone, 1)
    async with services.db.transaction() as s:
        c = await s.get(Customer, gone)
        c.followed = False
        c.unsubscribed_at = datetime(2026, 11, 1, tzinfo=SH)
    assert await preview(services) == []


async def test_quiet_hours_move_the_send_time_to_their_end(services):
    services.settings.care["send_at"] = "22:00"
    cid = await seed_customer(services)
    await due_stages(services, cid, 1)
    await Planner(services).run(DAY)
    async with services.db.session() as s:
        [row] = (await s.scalars(select(OutboxMessage))).all()
    assert row.not_before == datetime(2026, 11, 26, 8, 30, tzinfo=SH)


async def test_planned_messages_are_sent_once_in_sandbox(services):
    cid = await seed_customer(services, last_inbound_at=datetime(2026, 11, 24, 9, 0, tzinfo=SH))
    await due_stages(services, cid, 1)
    await Planner(services).run(DAY)
    await dispatch_due(services)
    await Planner(services).run(DAY)  # the planner runs again: nothing new
    services.clock.freeze(datetime(2026, 11, 25, 11, 0, tzinfo=SH) + timedelta(minutes=5))
    await dispatch_due(services)
    async with services.db.session() as s:
        rows = (await s.scalars(select(OutboxMessage))).all()
    assert [(r.status, r.sandbox, r.channel) for r in rows] == [("sent", True, "mp_kf")]
