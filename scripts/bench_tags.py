#!/usr/bin/env python
"""Benchmark the customer book: automatic tags recomputed in one set-based pass, the WeCom
tag sync queue, and a campaign queued to everyone through the outbox. Prints time and
peak memory.

    .venv/bin/python scripts/bench_tags.py                          # 100,000 customers, SQLite
    .venv/bin/python scripts/bench_tags.py --customers 1000000 --db postgres   # the full run
    .venv/bin/python scripts/bench_tags.py --customers 20000 --dispatch         # + sending

The world is scripts/bench_care.py's (N customers, 2N devices, purifier stages, formula,
tickets, opt-outs), plus 1 customer in 10 linked to a guide in WeCom. Target: the
recompute of 1,000,000 customers under 60 s (as the care planner).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts import bench_world_care as care_bench  # noqa: E402
from scripts import bench_world_scrm as scrm_bench  # noqa: E402
from scripts.bench_care import PeakRss, mb, pg_create, pg_drop, settings_for  # noqa: E402
from storage.migrate import upgrade  # noqa: E402


async def bench(url: str, label: str, n: int, campaign: bool, dispatch: bool) -> None:
    from bot.context import build_services
    from bot.scrm import campaigns
    from bot.scrm.tags import recompute

    upgrade(url)
    services = build_services(settings_for(url))
    pg = url.startswith("postgresql")
    try:
        t0 = time.perf_counter()
        async with services.db.engine.begin() as conn:
            await scrm_bench.reset(conn)
            await care_bench.reset(conn)
            await care_bench.seed(conn, n, pg)
            await scrm_bench.link_wecom(conn, n, 10, pg)
        print(
            f"[{label}] seeded {n:,} customers, {2 * n:,} devices in {time.perf_counter() - t0:.1f}s"
        )
        for attempt in ("first", "again"):
            with PeakRss() as rss:
                t1 = time.perf_counter()
                r = await recompute(services, sync=False)
                took = time.perf_counter() - t1
            print(
                f"[{label}] tags recompute ({attempt}): {len(r.counts)} rules, +{r.added:,} "
                f"−{r.removed:,} in {took:.1f}s, peak RSS {mb(rss.peak)}"
            )
        print(f"[{label}] holders: " + ", ".join(f"{k} {v:,}" for k, v in r.counts.items()))
        from bot.scrm.tags import sync_changes

        with PeakRss() as rss:
            t2 = time.perf_counter()
            queued = await sync_changes(services)
            took = time.perf_counter() - t2
        print(
            f"[{label}] WeCom tag sync: {queued:,} contacts queued in {took:.1f}s "
            f"({queued / max(took, 1e-9):,.0f}/s), peak RSS {mb(rss.peak)}"
        )
        if campaign:
            cid = await campaigns.create(services, name="bench", segment="store:S1", text="福利日")
            with PeakRss() as rss:
                t3 = time.perf_counter()
                res = await campaigns.run(services, cid)
                took = time.perf_counter() - t3
            print(
                f"[{label}] campaign to {n:,}: queued {res['queued']:,} {res['by_channel']} "
                f"skipped {res['skipped']} in {took:.1f}s = {res['queued'] / took:,.0f} customers/s, "
                f"peak RSS {mb(rss.peak)}"
            )
            if dispatch:
                from bot.outbox import dispatch_all_due

                t5 = time.perf_counter()
                stats = await dispatch_all_due(services, max_batches=100_000)
                took = time.perf_counter() - t5
                print(
                    f"[{label}] campaign through the outbox (sandbox: guide tasks written, rows "
                    f"marked sent): {stats['sent']:,} in {took:.1f}s = {stats['sent'] / took:,.0f}/s"
                )
            t4 = time.perf_counter()
            again = await campaigns.run(services, cid)
            print(
                f"[{label}] campaign re-run: queued {again['queued']} in "
                f"{time.perf_counter() - t4:.1f}s (sending speed: scripts/bench_care.py)"
            )
    finally:
        await services.close()


async def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--customers", type=int, default=100_000)
    ap.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    ap.add_argument("--skip-campaign", action="store_true")
    ap.add_argument(
        "--dispatch", action="store_true", help="also send the campaign (sandbox) and time it"
    )
    args = ap.parse_args()
    for target in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        if target == "sqlite":
            with tempfile.TemporaryDirectory(prefix="wxbot-bench-") as tmp:
                await bench(
                    f"sqlite+aiosqlite:///{tmp}/tags.db",
                    "sqlite",
                    args.customers,
                    not args.skip_campaign,
                    args.dispatch,
                )
        else:
            name, url = await pg_create()
            try:
                await bench(url, "postgres", args.customers, not args.skip_campaign, args.dispatch)
            finally:
                await pg_drop(name)


if __name__ == "__main__":
    asyncio.run(main())
