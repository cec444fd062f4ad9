"""One scheduler however many processes run the role: on PostgreSQL a leader is elected
and another takes over when it dies; on SQLite a second scheduler refuses to start."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from sqlalchemy import select

from bot import leader, liveness, runtime
from bot.context import build_services
from storage.models import ConsumableStage, Device, OutboxMessage
from tests.conftest import NOW, make_settings
from tests.fakes import seed_customer


async def _filter_due(services) -> None:
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


async def _until(check, seconds: float) -> bool:
    for _ in range(int(seconds / 0.05)):
        if check():
            return True
        await asyncio.sleep(0.05)
    return False


def _leaders(*services) -> list:
    return [s for s in services if s.extras.get("scheduler") is not None]


@pytest.mark.postgres
async def test_two_schedulers_elect_one_and_the_other_takes_over_when_it_dies(
    pg_url, tmp_path, monkeypatch
):
    monkeypatch.setattr(leader, "RENEW_S", 0.2)
    monkeypatch.setattr(leader, "LEASE_S", 1.0)
    monkeypatch.setattr(liveness, "HEARTBEAT_S", 0.2)
    monkeypatch.setattr(liveness, "DEAD_AFTER_S", 0.8)
    settings = make_settings(tmp_path / "unused.db", database={"url": pg_url})
    one, two = build_services(settings, now=NOW), build_services(settings, now=NOW)
    try:
        await _filter_due(one)
        await runtime.start_background(one, "scheduler")
        await runtime.start_background(two, "scheduler")
        assert await _until(lambda: len(_leaders(one, two)) == 1, 5)
        await asyncio.sleep(1.0)  # several rounds of the election: still one
        [first] = _leaders(one, two)
        other = two if first is one else one
        assert _leaders(one, two) == [first]
        # the care plan ran once, in the leader: one care message planned
        for _ in range(100):
            async with one.db.session() as s:
                rows = (await s.scalars(select(OutboxMessage))).all()
            if rows:
                break
            await asyncio.sleep(0.05)
        assert len(rows) == 1

        # the leader dies without a word (no lease release, no heartbeat)
        first.extras.pop("scheduler_campaign").cancel()
        first.extras.pop("heartbeat").cancel()
        first.extras.pop("scheduler").shutdown(wait=False)
        assert await _until(lambda: other.extras.get("scheduler") is not None, 5)
        async with one.db.session() as s:
            assert len((await s.scalars(select(OutboxMessage))).all()) == 1  # not planned twice
        # the new leader's outbox tick (5 s after it starts) sends it, once
        for _ in range(200):
            async with one.db.session() as s:
                [row] = (await s.scalars(select(OutboxMessage))).all()
            if row.status == "sent":
                break
            await asyncio.sleep(0.05)
        assert (row.status, row.attempts) == ("sent", 1)
    finally:
        for s in (one, two):
            await runtime.stop_background(s)
            await s.close()


async def test_a_second_scheduler_on_one_sqlite_database_refuses_to_start(settings):
    one, two = build_services(settings, now=NOW), build_services(settings, now=NOW)
    try:
        await runtime.start_background(one, "scheduler")
        with pytest.raises(leader.SchedulerAlreadyRunning, match="already runs"):
            await runtime.start_background(two, "scheduler")
        await runtime.stop_background(one)
        await runtime.start_background(two, "scheduler")  # the first stopped: now it may
        assert two.extras.get("scheduler") is not None
    finally:
        for s in (one, two):
            await runtime.stop_background(s)
            await s.close()
