"""Scheduled work of the customer book: the nightly tag recompute (config
``scrm.recompute_at``, default 06:30 local, before the care plan) and scheduled campaigns
(checked every minute)."""

from __future__ import annotations

import logging
from typing import Any

from bot.care.quiet import parse_hhmm
from bot.context import Services
from bot.scrm.settings import scrm_config

log = logging.getLogger(__name__)


async def tags_job(services: Services) -> None:
    from bot.scrm.tags import recompute

    result = await recompute(services)
    log.info("tags: %s", result.counts)


async def campaigns_job(services: Services) -> None:
    from bot.scrm.campaigns import run_due

    await run_due(services)


def add_jobs(sched: Any, services: Services) -> None:
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    tz = services.settings.tz
    at = parse_hhmm(str(scrm_config(services.settings).get("recompute_at", "06:30")))
    sched.add_job(
        tags_job,
        CronTrigger(hour=at.hour, minute=at.minute, timezone=tz),
        args=[services],
        id="scrm-tags",
        replace_existing=True,
    )
    sched.add_job(
        campaigns_job,
        IntervalTrigger(minutes=1, timezone=tz),
        args=[services],
        id="scrm-campaigns",
        replace_existing=True,
    )
