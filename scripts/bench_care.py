#!/usr/bin/env python
"""Benchmark the care planner and the outbox dispatcher; prints time and peak memory.

    .venv/bin/python scripts/bench_care.py --customers 10000              # small, SQLite
    .venv/bin/python scripts/bench_care.py --customers 1000000 --db both  # the full run
    .venv/bin/python scripts/bench_care.py --skip-plan --sends 20000      # dispatch only

Planning: N customers with 2N devices, one day (default 2026-02-17, 春节: every reachable
customer gets a greeting, the heaviest day) planned into the outbox with set-based SQL.
Targets: under 60 s and under 500 MB. Dispatch: M due customer-service messages sent
against the fake WeChat API (in its own process); target at least 500 sends/s.
PostgreSQL: a throw-away database on 127.0.0.1:5432 (user postgres), dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import date
from pathlib import Path

import psutil
from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.care.planner import Planner  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.context import build_services  # noqa: E402
from scripts import bench_world_care as care_bench  # noqa: E402
from storage.migrate import upgrade  # noqa: E402

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


class PeakRss:
    """Samples this process's RSS every 20 ms while active."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._proc = psutil.Process()

    def __enter__(self) -> PeakRss:
        self.peak = self._proc.memory_info().rss

        def run() -> None:
            while not self._stop.wait(0.02):
                self.peak = max(self.peak, self._proc.memory_info().rss)

        self._t = threading.Thread(target=run, daemon=True)
        self._t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._t.join()


def mb(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB"


def settings_for(url: str, **over):
    return load_settings(ROOT / "config.yaml", database={"url": url}, **over)


async def pg_create() -> tuple[str, str]:
    import asyncpg

    name = f"wxbot_bench_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(PG_ADMIN)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    return name, f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"


async def pg_drop(name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN)
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.close()


async def bench_plan(url: str, label: str, n: int, day: date) -> None:
    upgrade(url)
    services = build_services(settings_for(url))
    pg = url.startswith("postgresql")
    try:
        steps = care_bench.statements(n, pg)
        t0 = time.perf_counter()
        with tqdm(total=len(steps), desc=f"{label}: seeding {n:,} customers", unit="step") as bar:
            async with services.db.engine.begin() as conn:
                await care_bench.reset(conn)
                await care_bench.seed(conn, n, pg, progress=lambda _l: bar.update())
        seeded = time.perf_counter() - t0
        with tqdm(total=1, desc=f"{label}: planning {day}", unit="plan") as bar, PeakRss() as rss:
            t1 = time.perf_counter()
            result = await Planner(services).run(day)
            planned = time.perf_counter() - t1
            bar.update()
        print(
            f"[{label}] customers={n:,} devices={2 * n:,} seed={seeded:.1f}s | plan {day}: "
            f"{result['planned']:,} messages in {planned:.1f}s, peak RSS during planning "
            f"{mb(rss.peak)} (process max {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB)"
        )
        print(f"[{label}] by rule: {result['by_rule']}")
        t2 = time.perf_counter()
        again = await Planner(services).run(day)
        print(
            f"[{label}] re-plan same day: {again['planned']} new rows in {time.perf_counter() - t2:.1f}s"
        )
    finally:
        await services.close()


def start_fake() -> tuple[subprocess.Popen, str]:
    code = (
        "import asyncio, sys\n"
        "from tests.fakes.wechat_api import FakeWeChat\n"
        "async def main():\n"
        "    async with FakeWeChat() as f:\n"
        "        print(f.base_url, flush=True)\n"
        "        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)\n"
        "asyncio.run(main())\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    base = proc.stdout.readline().strip()  # type: ignore[union-attr]
    return proc, base


async def bench_dispatch(
    url: str, label: str, m: int, concurrency: int, verbose: bool = False
) -> None:
    from bot.outbox import dispatch_due

    upgrade(url)
    proc, base = start_fake()
    services = build_services(
        settings_for(
            url,
            sandbox=False,
            mp={"api_base_url": base},
            work={"api_base_url": base},
            care={"outbox": {"batch": 2000, "concurrency": concurrency}},
        )
    )
    pg = url.startswith("postgresql")
    try:
        async with services.db.engine.begin() as conn:
            await care_bench.reset(conn)
            now_sql = "(now() at time zone 'utc')" if pg else "datetime('now')"
            await care_bench.enqueue_sends(conn, m, pg, now_sql)
        sent = 0
        t0 = time.perf_counter()
        with tqdm(total=m, desc=f"{label}: dispatching", unit="msg") as bar:
            while True:
                tb = time.perf_counter()
                stats = await dispatch_due(services)
                if verbose:
                    tqdm.write(f"  batch: {dict(stats)} in {time.perf_counter() - tb:.2f}s")
                if not stats["claimed"]:
                    break
                sent += stats["sent"]
                bar.update(stats["claimed"])
        took = time.perf_counter() - t0
        print(
            f"[{label}] dispatch: {sent:,}/{m:,} sent in {took:.1f}s = {sent / took:,.0f} sends/s "
            f"(concurrency {concurrency}, one process, fake API in another)"
        )
    finally:
        await services.close()
        proc.stdin.close()  # type: ignore[union-attr]
        proc.wait(10)


async def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--customers", type=int, default=10_000)
    ap.add_argument("--on", default="2026-02-17", help="the day to plan (YYYY-MM-DD)")
    ap.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    ap.add_argument("--sends", type=int, default=5_000, help="messages for the dispatch run")
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--skip-plan", action="store_true")
    ap.add_argument("--skip-dispatch", action="store_true")
    ap.add_argument("--verbose", action="store_true", help="print each dispatch batch")
    args = ap.parse_args()
    day = date.fromisoformat(args.on)
    targets = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    for target in targets:
        if target == "sqlite":
            with tempfile.TemporaryDirectory(prefix="wxbot-bench-") as tmp:
                url = f"sqlite+aiosqlite:///{tmp}/care.db"
                if not args.skip_plan:
                    await bench_plan(url, "sqlite", args.customers, day)
                if not args.skip_dispatch:
                    await bench_dispatch(url, "sqlite", args.sends, args.concurrency, args.verbose)
        else:
            name, url = await pg_create()
            try:
                if not args.skip_plan:
                    await bench_plan(url, "postgres", args.customers, day)
                if not args.skip_dispatch:
                    await bench_dispatch(
                        url, "postgres", args.sends, args.concurrency, args.verbose
                    )
            finally:
                await pg_drop(name)


if __name__ == "__main__":
    asyncio.run(main())
