"""APScheduler inside ``wxbot serve --role all|scheduler``: the daily care plan (at
``care.planner_at``, and at start when today is not planned yet) and the outbox
dispatcher every minute. Coalesced, one instance of each job at a time."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.care.planner import Planner
from bot.care.quiet import parse_hhmm
from bot.care.settings import care_config
from bot.context import Services
from bot.outbox import dispatch_all_due
from storage.repos import kv

log = logging.getLogger(__name__)


def _planned_key(day) -> str:
    return f"care:planned:{day.isoformat()}"


async def plan_today(services: Services, only_if_missing: bool = False) -> dict | None:
    """Plan today's care messages (idempotent); with ``only_if_missing``, skip a planned day."""
    day = services.clock.local_now().date()
    now = datetime.now(UTC)
    if only_if_missing:
        async with services.db.session() as s:
            if await kv.get(s, _planned_key(day), now) is not None:
                log.info("care plan for %s already written", day)
                return None
    result = await Planner(services).run(day)
    async with services.db.transaction() as s:
        await kv.put(s, _planned_key(day), json.dumps(result), now + timedelta(days=8))
    log.info("care plan for %s: %s messages %s", day, result["planned"], result["by_rule"])
    return result


async def dispatch_job(services: Services) -> None:
    stats = await dispatch_all_due(services)
    if stats.get("claimed"):
        log.info("outbox: %s", dict(stats))


async def start(services: Services) -> AsyncIOScheduler:
    care = care_config(services.settings)
    tz = services.settings.tz
    at = parse_hhmm(str(care.get("planner_at", "07:00")))
    sched = AsyncIOScheduler(
        timezone=tz,
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": int(care.get("misfire_grace_s", 3600)),
        },
    )
    sched.add_job(
        plan_today,
        CronTrigger(hour=at.hour, minute=at.minute, timezone=tz),
        args=[services],
        id="care-plan",
        replace_existing=True,
    )
    sched.add_job(
        plan_today,
        "date",
        run_date=datetime.now(tz),
        args=[services, True],
        id="care-plan-at-start",
    )
    sched.add_job(
        dispatch_job,
        IntervalTrigger(minutes=1, timezone=tz),
        args=[services],
        id="outbox-dispatch",
        next_run_time=datetime.now(tz) + timedelta(seconds=5),
    )
    sched.add_job(
        purge_sessions_job,
        IntervalTrigger(minutes=15, timezone=tz),
        args=[services],
        id="dialog-session-purge",
    )
    from bot.work.jobs import add_jobs  # the guides' 09:00 digest and the groups' day

    add_jobs(sched, services)
    sched.start()
    return sched


async def purge_sessions_job(services: Services) -> None:
    """Forget conversations idle past their expiry (they are ignored on load anyway)."""
    from storage.repos import sessions

    async with services.db.transaction() as s:
        gone = await sessions.purge_expired(s, services.clock.now())
    if gone:
        log.info("dialog: %d idle sessions purged", gone)
