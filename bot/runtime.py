"""What runs beside the web app in ``wxbot serve``: NLU warm-up, the care scheduler, the sender."""

from __future__ import annotations

import asyncio
import gc
import logging
import threading

from bot.context import Services

log = logging.getLogger(__name__)


async def start_background(services: Services, role: str) -> None:
    if role in ("all", "web"):
        from bot import nlu

        services.spawn(_freeze_when_done(nlu.warm_up_in_background(services.settings)))
    if role in ("all", "scheduler"):
        from bot.care import scheduler

        await _run_scheduler(services, scheduler)


async def _run_scheduler(services: Services, scheduler) -> None:
    """The scheduler's jobs run in one process however many run the role (bot/leader.py):
    on SQLite a second one refuses to start, on PostgreSQL the elected leader runs them."""
    from bot import leader
    from bot.scrm.jobs import add_jobs as add_scrm_jobs  # tags nightly, timed campaigns

    if services.db.is_sqlite:
        services.extras["scheduler_lock"] = leader.sqlite_lock(services)
        services.extras["scheduler"] = await scheduler.start(services)
        add_scrm_jobs(services.extras["scheduler"], services)
        return

    async def start() -> None:
        services.extras["scheduler"] = await scheduler.start(services)
        add_scrm_jobs(services.extras["scheduler"], services)

    async def stop() -> None:
        sched = services.extras.pop("scheduler", None)
        if sched is not None:
            sched.shutdown(wait=False)

    services.extras["scheduler_campaign"] = services.daemon(leader.campaign(services, start, stop))


# Collect the young generation after this many new container objects, not Python's 700:
# a message leaves a few dozen behind (futures, tasks, rows), so the default collected
# every ~15 messages, ~0.07 ms of every message's CPU; at 7,000 it is ten times rarer and
# each pause still ~2 ms (scripts/bench_webhook.py prints the count and the longest).
YOUNG_GENERATION_THRESHOLD = 7000


def freeze_long_lived() -> None:
    """Move what exists now (the NLU model and dictionaries, settings, routes: about a
    million objects that live as long as the process) out of the garbage collector's
    reach. Full collections then walk only what requests create: a 65 ms pause every few
    hundred messages becomes a few ms (scripts/bench_webhook.py). Young collections are
    made rarer too (:data:`YOUNG_GENERATION_THRESHOLD`)."""
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, older, oldest)
    log.info("%d start-up objects frozen out of garbage collection", gc.get_freeze_count())


async def _freeze_when_done(warm_up: threading.Thread) -> None:
    await asyncio.to_thread(warm_up.join)
    freeze_long_lived()


async def stop_background(services: Services) -> None:
    from bot import liveness

    campaign = services.extras.pop("scheduler_campaign", None)
    if campaign is not None:
        campaign.cancel()
        await asyncio.gather(campaign, return_exceptions=True)
    await liveness.stop(services)
    sched = services.extras.pop("scheduler", None)
    if sched is not None:
        sched.shutdown(wait=False)
    lock = services.extras.pop("scheduler_lock", None)
    if lock is not None:
        lock.close()
