"""One scheduler however many processes run the scheduler role.

PostgreSQL: a lease row in the ``kv`` table (``scheduler:leader``), held by the process
identity of bot/liveness.py and renewed every ``RENEW_S``. Standbys try every ``RENEW_S``
and take over when the lease has run out (``LEASE_S``) or at once when the holder is gone
(killed on this host, stopped, or silent: bot/liveness.py) — within 60 s in any case. A
leader that cannot renew (storage away, or another took over) stops its jobs at once.

SQLite: the database is a local file, so a second scheduler on it is refused at start with
a clear message (an exclusive ``flock`` on ``<database>.scheduler.lock``).
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

from sqlalchemy.engine import make_url

from bot import faults, liveness
from bot.context import Services
from storage.repos import kv

log = logging.getLogger(__name__)

KEY = "scheduler:leader"
LEASE_S = 30.0
RENEW_S = 5.0


class SchedulerAlreadyRunning(RuntimeError):
    """A second scheduler on one SQLite database."""


def sqlite_lock(services: Services) -> IO[str] | None:
    """Hold the SQLite database's scheduler lock for this process's life (None: not SQLite).
    Raises :class:`SchedulerAlreadyRunning` when another process holds it."""
    u = make_url(services.db.url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    path = Path(u.database).resolve().with_name(Path(u.database).name + ".scheduler.lock")
    f = open(path, "a+")  # noqa: SIM115 - held open as long as the scheduler runs
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        f.seek(0)
        holder = f.read().strip() or "another process"
        f.close()
        raise SchedulerAlreadyRunning(
            f"a scheduler already runs on this SQLite database ({holder}, lock {path}); "
            "run one process with --role all|scheduler, the others with --role web"
        ) from None
    f.seek(0)
    f.truncate()
    f.write(f"pid {os.getpid()}\n")
    f.flush()
    return f


async def _try_lead(services: Services) -> bool:
    """One round: renew (when leading) or try to take the lease. True when we hold it."""
    me = liveness.me(services).id
    now = liveness.wall_now()
    until = now + timedelta(seconds=LEASE_S)
    async with services.db.transaction() as s:
        await liveness.register(s, services)
        if await kv.renew(s, KEY, me, until):
            return True
        holder = await kv.holder(s, KEY)
        if holder is not None and await liveness.is_gone(s, services, holder):
            await kv.remove(s, KEY, holder)
            log.warning("scheduler leader %s is gone; taking over", holder)
        return await kv.try_lock(s, KEY, me, now, until)


async def campaign(
    services: Services,
    start: Callable[[], Awaitable[Any]],
    stop: Callable[[], Awaitable[None]],
) -> None:
    """Run for the process's life: ``start`` the jobs on being elected, ``stop`` them on
    losing the lease. Releases the lease when cancelled (a clean shutdown)."""
    liveness.start(services)
    leading = False
    try:
        while True:
            try:
                now_leading = await _try_lead(services)
            except Exception as exc:  # noqa: BLE001 - storage away: not leading, try again
                faults.report(f"scheduler election: storage unavailable ({exc.__class__.__name__})")
                now_leading = False
            if now_leading and not leading:
                log.info("elected scheduler leader (%s)", liveness.me(services).id)
                await start()
            elif leading and not now_leading:
                log.warning("no longer the scheduler leader; its jobs stop here")
                await stop()
            leading = now_leading
            await asyncio.sleep(RENEW_S)
    finally:
        if leading:
            await stop()
            try:
                async with services.db.transaction() as s:
                    await kv.remove(s, KEY, liveness.me(services).id)
            except Exception:  # noqa: BLE001 - the lease expires anyway
                pass
