"""The services one process shares: settings, database, clock, metrics, and the pipeline's parts.

Built once by :func:`build_services`; handed to the web app, the scheduler, the CLI and tests.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.clock import Clock
from bot.config import Settings
from bot.metrics import Metrics
from storage.db import Database


@dataclass
class Services:
    settings: Settings
    db: Database
    clock: Clock
    metrics: Metrics = field(default_factory=Metrics)
    redis: Any = None  # redis.asyncio.Redis when redis.url is set
    # filled in by the modules that own them (kept loose to avoid import cycles)
    extras: dict[str, Any] = field(default_factory=dict)
    background: set[asyncio.Task[Any]] = field(default_factory=set)
    # tasks that run as long as the process (heartbeat, scheduler election): not "work
    # still pending", so nothing waits for them; cancelled by close()
    daemons: set[asyncio.Task[Any]] = field(default_factory=set)

    def spawn(self, coro) -> asyncio.Task[Any]:
        """Run ``coro`` in the background, keeping a reference until it ends."""
        task = asyncio.get_running_loop().create_task(coro)
        self.background.add(task)
        task.add_done_callback(self.background.discard)
        return task

    def daemon(self, coro) -> asyncio.Task[Any]:
        """Run ``coro`` for the process's life (cancelled by :meth:`close`)."""
        task = asyncio.get_running_loop().create_task(coro)
        self.daemons.add(task)
        task.add_done_callback(self.daemons.discard)
        return task

    async def close(self) -> None:
        for task in [*self.background, *self.daemons]:
            task.cancel()
        if self.background or self.daemons:
            await asyncio.gather(*self.background, *self.daemons, return_exceptions=True)
        if self.redis is not None:
            await self.redis.aclose()
        await self.db.dispose()


def build_services(settings: Settings, now: datetime | None = None) -> Services:
    redis = None
    if settings.redis.url:
        import redis.asyncio as aioredis

        redis = aioredis.from_url(settings.redis.url, decode_responses=True)
    return Services(
        settings=settings,
        db=Database(settings.database.url, settings.database.echo),
        clock=Clock(settings.tz, now),
        redis=redis,
    )
