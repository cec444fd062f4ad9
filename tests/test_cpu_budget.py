"""scripts/cpu_budget.py: a process placed under a budget gets no more CPU than it (the
way scripts/bench_load.py --core-budget gives web processes cores of their own)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from scripts.cpu_budget import CpuBudgets, available

pytestmark = pytest.mark.skipif(available() is not None, reason=f"{available()}")

SPIN = "import time\nend = time.monotonic() + 30\nwhile time.monotonic() < end: pass\n"


def _cpu_over(proc: psutil.Process, seconds: float) -> float:
    before = sum(proc.cpu_times()[:2])
    time.sleep(seconds)
    return sum(proc.cpu_times()[:2]) - before


def test_a_busy_process_gets_its_budget_and_no_more_and_the_group_goes_afterwards():
    spinner = subprocess.Popen([sys.executable, "-c", SPIN])
    try:
        proc = psutil.Process(spinner.pid)
        with CpuBudgets(0.2) as budgets:
            budgets.place(spinner.pid)
            group = budgets.groups[spinner.pid]
            assert group.name in Path(f"/proc/{spinner.pid}/cgroup").read_text()
            used = _cpu_over(proc, 1.5)
            assert used < 0.2 * 1.5 + 0.15  # the kernel's quota: about 0.3 s of 1.5 s
            # it wanted more: the budget ran out period after period (whatever else runs)
            assert budgets.throttled()[spinner.pid] >= 5
        assert not group.exists()
        assert group.name not in Path(f"/proc/{spinner.pid}/cgroup").read_text()
    finally:
        spinner.kill()
        spinner.wait()


def test_a_budget_out_of_range_is_refused():
    with pytest.raises(ValueError, match="0.05..64"):
        CpuBudgets(0.0)
