"""Scheduled WeCom jobs: the 09:00 guide digest, and each morning's group posts (config SOP
and festival greetings). Hook into the care scheduler with one line before ``sched.start()``
in bot/care/scheduler.py::

    from bot.work.jobs import add_jobs; add_jobs(sched, services)
"""

from __future__ import annotations

import logging
from datetime import date, time
from typing import Any

from bot.context import Services

log = logging.getLogger(__name__)

DIGEST_AT = time(9, 0)
GROUPS_AT = time(7, 30)
GROUP_NAME = "各位邻居"
GROUP_TEXTS_FALLBACK = "{name}，{festival}快乐！祝大家阖家幸福、万事如意。"


async def digest_job(services: Services) -> None:
    from bot.work.digest import send_digests

    await send_digests(services, services.clock.local_now().date())


def _group_text(services: Services, festival: str) -> str:
    """The festival rule's text for the day, addressed to the group."""
    from bot.care.rules.festival import DEFAULTS

    texts: dict[str, Any] = dict(DEFAULTS.get("texts") or {})
    rules = (services.settings.care or {}).get("rules") or {}
    texts.update(((rules.get("festival") or {}).get("texts")) or {})
    text = texts.get(festival) or GROUP_TEXTS_FALLBACK
    return text.replace("{name}您好", GROUP_NAME).format(name=GROUP_NAME, festival=festival)


async def festival_greetings(services: Services, day: date) -> int:
    """Greet every group on a festival (sent once per festival and group)."""
    from bot.care.calendar import festivals_on
    from bot.work.groups import greet_groups

    rules = (services.settings.care or {}).get("rules") or {}
    if (rules.get("festival") or {}).get("enabled") is False:
        return 0  # festival greetings switched off in care.rules.festival
    queued = 0
    for festival in festivals_on(day):
        queued += await greet_groups(
            services, f"{festival}:{day.year}", _group_text(services, festival), day
        )
    return queued


async def groups_job(services: Services) -> None:
    from bot.work.groups import plan_posts

    day = services.clock.local_now().date()
    if not services.settings.sandbox:  # the customer groups' figures, from WeCom
        from bot.work.group_chats import sync

        try:
            await sync(services)
        except Exception:  # noqa: BLE001 - the posts and greetings go out anyway
            log.exception("work: customer group sync failed")
    posts = await plan_posts(services, day)
    greetings = await festival_greetings(services, day)
    log.info("work: groups for %s: %d posts, %d greetings", day, posts, greetings)


def add_jobs(sched: Any, services: Services) -> None:
    """Add the digest (09:00) and the groups' day (07:30) to an APScheduler scheduler."""
    from apscheduler.triggers.cron import CronTrigger

    tz = services.settings.tz
    sched.add_job(
        digest_job,
        CronTrigger(hour=DIGEST_AT.hour, minute=DIGEST_AT.minute, timezone=tz),
        args=[services],
        id="work-digest",
        replace_existing=True,
    )
    sched.add_job(
        groups_job,
        CronTrigger(hour=GROUPS_AT.hour, minute=GROUPS_AT.minute, timezone=tz),
        args=[services],
        id="work-groups",
        replace_existing=True,
    )
