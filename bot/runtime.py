"""What runs beside the web app in ``wxbot serve``: NLU warm-up, the care scheduler, the sender."""

from __future__ import annotations

import importlib
import logging

from bot.context import Services

log = logging.getLogger(__name__)


async def start_background(services: Services, role: str) -> None:
    if role in ("all", "web"):
        nlu = importlib.import_module("bot.nlu")
        warm = getattr(nlu, "warm_up_in_background", None)
        if warm is not None:
            warm(services.settings)
    if role in ("all", "scheduler"):
        try:
            scheduler = importlib.import_module("bot.care.scheduler")
        except ModuleNotFoundError as exc:
            if exc.name != "bot.care.scheduler":
                raise
            log.info("care scheduler not available")
            return
        services.extras["scheduler"] = await scheduler.start(services)


async def stop_background(services: Services) -> None:
    sched = services.extras.pop("scheduler", None)
    if sched is not None:
        sched.shutdown(wait=False)
