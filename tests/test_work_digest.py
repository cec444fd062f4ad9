"""The guides' 09:00 digest, the scheduled jobs, and the ``wxbot work`` commands."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from click.testing import CliRunner
from sqlalchemy import select

from bot.demo import seed_demo
from bot.work.digest import send_digests
from storage.models import GuideTask, OutboxMessage, SalesLead, Staff
from tests.conftest import NOW, SHANGHAI


async def _g1(services) -> Staff:
    async with services.db.session() as s:
        return await s.scalar(select(Staff).where(Staff.wecom_userid == "G001"))


async def test_digest_holds_todays_tasks_and_yesterdays_results(services):
    await seed_demo(services)
    g1 = await _g1(services)
    today = NOW.date()
    yesterday_noon = datetime(2026, 11, 24, 12, 0, tzinfo=SHANGHAI)
    async with services.db.transaction() as s:
        s.add_all(
            [
                GuideTask(
                    guide_id=g1.id,
                    kind="filter_due",
                    title="滤芯到期：张伟",
                    due_on=today,
                    idem_key="a",
                ),
                GuideTask(
                    guide_id=g1.id,
                    kind="birthday",
                    title="生日祝福：李芳",
                    due_on=today,
                    idem_key="b",
                ),
                GuideTask(
                    guide_id=g1.id,
                    kind="follow_up",
                    title="昨天做完的",
                    due_on=today - timedelta(days=1),
                    status="done",
                    closed_at=yesterday_noon,
                    idem_key="c",
                ),
                GuideTask(
                    guide_id=g1.id,
                    kind="festival",
                    title="昨天推送的",
                    due_on=today - timedelta(days=1),
                    status="pushed",
                    closed_at=yesterday_noon,
                    idem_key="d",
                ),
                SalesLead(
                    store_id=g1.store_id,
                    guide_id=g1.id,
                    interest="换冰箱",
                    status="won",
                    created_at=yesterday_noon,
                    updated_at=yesterday_noon,
                ),
            ]
        )
    out = await send_digests(services, today)
    mine = next(d for d in out if d.userid == "G001")
    assert mine.text.startswith("王丽，早上好！11月25日的工作提要")
    assert "1. 滤芯到期：张伟" in mine.text and "2. 生日祝福：李芳" in mine.text
    assert "昨天：完成任务2条（其中推送1条），新商机1条，成交1单。" in mine.text
    other = next(d for d in out if d.userid == "G003")
    assert "今天没有待办任务" in other.text
    async with services.db.session() as s:
        rows = (await s.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    assert [(r.channel, r.recipient) for r in rows] == [
        ("work_app", "G001"),
        ("work_app", "G002"),
        ("work_app", "G003"),
        ("work_app", "G004"),
    ]
    assert {r.status for r in rows} == {"sent"}  # sandbox: recorded as sent
    # once a day
    again = await send_digests(services, today)
    assert all(d.row_id is None for d in again)
    async with services.db.session() as s:
        assert len((await s.scalars(select(OutboxMessage))).all()) == 4


async def test_dry_run_queues_nothing(services):
    await seed_demo(services)
    out = await send_digests(services, NOW.date(), dry_run=True)
    assert len(out) == 4
    async with services.db.session() as s:
        assert (await s.scalars(select(OutboxMessage))).all() == []


async def test_jobs_register_with_a_scheduler(services):
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from bot.work.jobs import add_jobs

    sched = AsyncIOScheduler(timezone=SHANGHAI)
    add_jobs(sched, services)
    jobs = {j.id: j for j in sched.get_jobs()}
    assert set(jobs) == {"work-digest", "work-groups"}
    assert "hour='9'" in str(jobs["work-digest"].trigger)


async def test_festival_greetings_reach_the_groups(services):
    from bot.work.jobs import festival_greetings

    await seed_demo(services)
    mid_autumn = date(2026, 9, 25)  # 八月十五
    assert await festival_greetings(services, mid_autumn) == 1
    assert await festival_greetings(services, mid_autumn) == 0
    async with services.db.session() as s:
        row = await s.scalar(select(OutboxMessage))
    assert row.channel == "group_robot" and row.kind == "festival"
    assert row.text.startswith("各位邻居，中秋快乐")


def _cli(db_path, *args):
    from bot.cli import main

    env = {"WXBOT_DATABASE__URL": f"sqlite+aiosqlite:///{db_path}"}
    return CliRunner().invoke(main, ["work", *args], env=env, catch_exceptions=False)


def test_cli_digest_groups_and_say(db_path):
    import asyncio

    from bot.context import build_services
    from tests.conftest import make_settings

    async def seed():
        services = build_services(make_settings(db_path))
        try:
            await seed_demo(services)
        finally:
            await services.close()

    asyncio.run(seed())
    result = _cli(db_path, "digest", "--on", "2026-11-25", "--dry-run")
    lines = [json.loads(x) for x in result.output.splitlines()]
    assert [x["guide"] for x in lines] == ["G001", "G002", "G003", "G004"]
    assert not any(x["queued"] for x in lines)
    groups = [json.loads(x) for x in _cli(db_path, "groups", "list").output.splitlines()]
    assert groups == [{"name": "阳光花园业主群", "store": "S001", "robot": "sand…-a"}]
    assert "今天没有待办任务" in _cli(db_path, "say", "--user", "G001", "任务").output
    assert "员工信息" in _cli(db_path, "say", "--user", "X999", "任务").output
