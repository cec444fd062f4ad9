"""The scheduler's jobs, and the daily plan written once."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from bot.care.scheduler import plan_today, start
from storage.models import ConsumableStage, Device, OutboxMessage
from tests.fakes import seed_customer


async def test_scheduler_has_the_plan_and_dispatch_jobs(services):
    sched = await start(services)
    try:
        jobs = {j.id: j for j in sched.get_jobs()}
        assert {"care-plan", "care-plan-at-start", "outbox-dispatch"} <= set(jobs)
        assert str(jobs["care-plan"].trigger).startswith("cron[hour='7', minute='0'")
        assert jobs["care-plan"].coalesce is True
    finally:
        sched.shutdown(wait=False)


async def test_plan_today_at_start_runs_only_when_today_is_not_planned(services):
    cid = await seed_customer(services)
    async with services.db.transaction() as s:
        dv = Device(customer_id=cid, category="净水器")
        s.add(dv)
        await s.flush()
        s.add(
            ConsumableStage(
                device_id=dv.id,
                stage="pp",
                name="PP棉",
                life_days=180,
                last_replaced_on=date(2026, 6, 1),
            )
        )
    first = await plan_today(services, only_if_missing=True)
    assert first["planned"] == 1
    assert await plan_today(services, only_if_missing=True) is None
    async with services.db.session() as s:
        assert await s.scalar(select(func.count()).select_from(OutboxMessage)) == 1
