"""Each process's identity and heartbeat, so that others can tell when it is gone.

A process registers in the ``processes`` table with its first ledger write and then beats
every ``HEARTBEAT_S`` seconds from a background task (never per message). Another process
judges it gone when it has stopped, when it ran on the same host and its pid no longer
lives (at once: ``kill -9`` is seen by the very next retry), or when it has been silent for
``DEAD_AFTER_S`` (another host). The beat also writes what was kept while storage was down
(bot/channels/dedup.py) and, every minute, marks the ledger rows that gone processes left
``processing`` and no retry took over as ``lost``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot import faults
from bot.context import Services
from storage.repos import processes as processes_repo

log = logging.getLogger(__name__)

HEARTBEAT_S = 2.0
DEAD_AFTER_S = 10.0
SWEEP_EVERY_S = 60.0
LOST_AFTER_S = 60.0  # past WeChat's three tries: nobody will ask for it any more
FORGET_AFTER_DAYS = 7  # gone processes' rows are deleted after this


@dataclass(frozen=True)
class Identity:
    id: str
    host: str
    pid: int


def wall_now() -> datetime:
    """Heartbeats use the real clock even when the business clock is frozen (tests, --now)."""
    return datetime.now(UTC)


def me(services: Services) -> Identity:
    ident = services.extras.get("process_identity")
    if ident is None:
        host, pid = socket.gethostname()[:100], os.getpid()
        ident = Identity(f"{host}:{pid}:{secrets.token_hex(3)}", host, pid)
        services.extras["process_identity"] = ident
    return ident


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed child its parent has not reaped yet is a zombie: gone
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            return f.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return True


async def is_gone(session, services: Services, owner: str) -> bool:
    """Whether the process ``owner`` can no longer answer what it claimed."""
    row = await processes_repo.get(session, owner)
    if row is None or row.stopped_at is not None:
        return True
    if row.host == me(services).host and not pid_alive(row.pid):
        return True
    return row.heartbeat_at < wall_now() - timedelta(seconds=DEAD_AFTER_S)


async def register(session, services: Services) -> None:
    """In the caller's transaction: this process exists and is alive (idempotent)."""
    ident = me(services)
    await processes_repo.beat(session, ident.id, ident.host, ident.pid, wall_now())


def start(services: Services) -> None:
    """Start beating (once per process)."""
    if services.extras.get("heartbeat") is None:
        services.extras["heartbeat"] = services.daemon(_beat_forever(services))


async def stop(services: Services) -> None:
    """A clean exit: others may take over what is left at once."""
    task = services.extras.pop("heartbeat", None)
    if task is None:
        return
    task.cancel()
    try:
        async with services.db.transaction() as session:
            await processes_repo.stop(session, me(services).id, wall_now())
    except Exception as exc:  # noqa: BLE001 - shutting down; the heartbeat expires anyway
        log.warning("could not mark this process stopped: %s", type(exc).__name__)


async def _beat_forever(services: Services) -> None:
    loop = asyncio.get_running_loop()
    next_sweep = loop.time() + SWEEP_EVERY_S
    while True:
        await asyncio.sleep(HEARTBEAT_S)
        try:
            async with services.db.transaction() as session:
                await register(session, services)
        except Exception as exc:  # noqa: BLE001 - an outage: say it once, keep beating
            faults.report(f"heartbeat: storage unavailable ({faults.reason_of(exc) or exc!r})")
            continue
        from bot.channels import dedup

        dedup.flush_kept(services)
        if loop.time() >= next_sweep:
            next_sweep = loop.time() + SWEEP_EVERY_S
            await _sweep(services)


async def _sweep(services: Services) -> None:
    try:
        async with services.db.transaction() as session:
            gone = await processes_repo.gone_since(
                session, wall_now() - timedelta(seconds=DEAD_AFTER_S)
            )
            lost = await processes_repo.abandon_messages(
                session,
                [p.id for p in gone],
                services.clock.now() - timedelta(seconds=LOST_AFTER_S),
            )
            long_ago = wall_now() - timedelta(days=FORGET_AFTER_DAYS)
            await processes_repo.forget(session, [p.id for p in gone if p.heartbeat_at < long_ago])
    except Exception as exc:  # noqa: BLE001
        faults.report(f"heartbeat: sweep failed ({faults.reason_of(exc) or exc!r})")
        return
    if lost:
        log.warning("%d messages left processing by a gone process were never retried: lost", lost)
