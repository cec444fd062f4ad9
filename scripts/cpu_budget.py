"""A CPU budget per server process, so a load test can give the servers cores of their own.

On a 2-core machine the load generator, the database and the web processes share both
cores, so "two workers give 1.7x one" cannot be seen: the second worker takes its core
from the generator. With a budget of, say, 0.5 core per web process (a Linux CPU cgroup
with a CFS quota), one worker gets 0.5 core, two workers 0.5 core each, and the generator
and the database keep the rest: the servers scale with their cores as they would with
real ones, and throttling counts show that the budget, not the generator, was the limit.

Needs root and a writable cgroup file system (cgroup v2 with the cpu controller, or v1's
``cpu`` hierarchy); :func:`available` says why not otherwise.

    with CpuBudgets(0.5) as budgets:
        budgets.place(pid)            # each pid gets its own 0.5 core
        ...
        budgets.throttled()           # periods in which a budget ran out, per pid
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
PERIOD_US = 100_000


def _hierarchy() -> tuple[Path, bool] | None:
    """(directory under which to make groups, is cgroup v2), or None."""
    v1, controllers = ROOT / "cpu", ROOT / "cgroup.controllers"
    if (v1 / "cpu.cfs_quota_us").exists():
        return v1, False
    if controllers.exists() and "cpu" in controllers.read_text().split():
        return ROOT, True
    return None


def available() -> str | None:
    """None when budgets can be set here, else why not."""
    if os.geteuid() != 0:
        return "CPU budgets need root (a cgroup per server process)"
    found = _hierarchy()
    if found is None:
        return f"no cgroup cpu controller under {ROOT}"
    if not os.access(found[0], os.W_OK):
        return f"{found[0]} is not writable"
    return None


class CpuBudgets:
    """One cgroup per placed process, each limited to ``cores`` of CPU; removed on exit."""

    def __init__(self, cores: float) -> None:
        if not 0.05 <= cores <= 64:
            raise ValueError("a budget of 0.05..64 cores")
        why = available()
        if why is not None:
            raise RuntimeError(why)
        self.cores = cores
        self.base, self.v2 = _hierarchy()  # type: ignore[misc]
        self.tag = f"wxbot-bench-{uuid.uuid4().hex[:6]}"
        self.groups: dict[int, Path] = {}

    def __enter__(self) -> CpuBudgets:
        if self.v2:  # let child groups use the cpu controller
            (self.base / "cgroup.subtree_control").write_text("+cpu")
        return self

    def place(self, pid: int) -> None:
        """Move ``pid`` (all its threads) into a group of its own with the budget."""
        if pid in self.groups:
            return
        group = self.base / f"{self.tag}-{len(self.groups)}"
        group.mkdir()
        quota = int(self.cores * PERIOD_US)
        if self.v2:
            (group / "cpu.max").write_text(f"{quota} {PERIOD_US}")
        else:
            (group / "cpu.cfs_period_us").write_text(str(PERIOD_US))
            (group / "cpu.cfs_quota_us").write_text(str(quota))
        (group / "cgroup.procs").write_text(str(pid))
        self.groups[pid] = group

    def throttled(self) -> dict[int, int]:
        """Per placed pid: the scheduling periods in which its budget ran out."""
        out: dict[int, int] = {}
        for pid, group in self.groups.items():
            stat = dict(
                line.split() for line in (group / "cpu.stat").read_text().splitlines() if line
            )
            out[pid] = int(stat.get("nr_throttled", 0))
        return out

    def __exit__(self, *_exc: object) -> None:
        for group in self.groups.values():
            procs = (group / "cgroup.procs").read_text().split()
            for pid in procs:  # still running: back to the root group
                try:
                    (self.base / "cgroup.procs").write_text(pid)
                except OSError:
                    pass
            try:
                group.rmdir()
            except OSError:
                pass
        self.groups.clear()
