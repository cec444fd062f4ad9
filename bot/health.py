"""``/healthz``: can this process accept a message now?

Accepting a message means writing it to the ledger, so the checks are what that needs: the
database takes a write, its schema is at the migrations' head, the disk holding a SQLite
database has more than ``health.min_free_disk_mb`` free, and Redis answers a ping when
``redis.url`` is set. Each check is bounded in time; the first failing one is the reason.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from bot import faults
from bot.context import Services
from storage import migrate
from storage.repos import health as health_repo

CHECK_TIMEOUT_S = 2.0


@dataclass
class Health:
    checks: dict[str, str] = field(default_factory=dict)
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.reason is None

    def fail(self, name: str, state: str, reason: str) -> None:
        self.checks[name] = state
        if self.reason is None:
            self.reason = reason

    def body(self, services: Services) -> dict[str, Any]:
        out: dict[str, Any] = {"status": "ok" if self.ok else "unhealthy", **self.checks}
        if self.reason:
            out["reason"] = self.reason
        out["sandbox"] = services.settings.sandbox
        out["pid"] = os.getpid()  # which worker answered (wxbot serve --workers N)
        return out


def min_free_disk_mb(services: Services) -> int:
    return int(services.settings.health.min_free_disk_mb)


def data_dir(services: Services) -> Path | None:
    """Where a SQLite database lives (None for PostgreSQL: its disk is the server's)."""
    u = make_url(services.db.url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    return Path(u.database).resolve().parent


def free_disk_mb(path: Path) -> float:
    return shutil.disk_usage(path).free / (1024 * 1024)


async def _bounded(coro: Any) -> Any:
    return await asyncio.wait_for(coro, CHECK_TIMEOUT_S)


async def check(services: Services) -> Health:
    h = Health()
    try:
        await _bounded(services.db.ping())
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        h.fail("database", "unreachable", f"database unreachable ({type(exc).__name__})")
    else:
        h.checks["database"] = "ok"
        await _check_schema_and_write(services, h)
    where = data_dir(services)
    if where is not None:
        free = free_disk_mb(where)
        if free < min_free_disk_mb(services):
            h.fail("disk", "low", f"disk almost full ({free:.0f} MB free)")
        else:
            h.checks["disk"] = "ok"
    if services.redis is not None:
        try:
            await _bounded(services.redis.ping())
        except Exception as exc:  # noqa: BLE001
            h.fail("redis", "unreachable", f"redis unreachable ({type(exc).__name__})")
        else:
            h.checks["redis"] = "ok"
    if not h.ok:
        faults.report(f"health check failed: {h.reason}")
    return h


async def _check_schema_and_write(services: Services, h: Health) -> None:
    try:
        async with services.db.session() as session:
            revision = await _bounded(health_repo.schema_revision(session))
    except Exception as exc:  # noqa: BLE001
        revision = None if faults.reason_of(exc) == "database schema not migrated" else exc
    if revision is None or isinstance(revision, Exception) or revision not in migrate.heads():
        shown = revision if isinstance(revision, str) else "none"
        h.fail(
            "schema", "not at head", f"database schema not at head ({shown}); run wxbot db upgrade"
        )
        return
    h.checks["schema"] = "ok"

    async def write() -> None:
        async with services.db.transaction(short=True) as session:
            await health_repo.probe_write(session, services.clock.now())

    try:
        await _bounded(write())
    except Exception as exc:  # noqa: BLE001
        reason = faults.reason_of(exc) or type(exc).__name__
        h.fail("write", "failed", f"database refuses writes ({reason})")
    else:
        h.checks["write"] = "ok"
