#!/usr/bin/env python3
"""The dialog alone, in-process: CPU per turn and SQL statements per turn, with the turns of
concurrent messages batched into shared transactions (the default) and with one transaction
per turn (``dialog.batch_turns: false``), side by side in the same run.

No HTTP, no crypto, no dedup ledger: ``bot.dialog.respond`` for ``--messages`` messages from
``--users`` people, ``--concurrency`` at a time, after a warm-up from the same people (known
customers, conversations under way). The utterances are those of scripts/bench_webhook.py.

    .venv/bin/python scripts/bench_dialog.py [--messages 3000] [--concurrency 50]
    BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1/<empty db> ...   # PostgreSQL
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scripts.bench_webhook import UTTERANCES  # noqa: E402


async def measure(batched: bool, args: argparse.Namespace, workdir: Path) -> dict[str, float]:
    from sqlalchemy import event

    import bot.dialog
    import bot.nlu
    from bot.config import load_settings
    from bot.context import build_services
    from bot.messages import Inbound
    from storage.migrate import upgrade

    name = "batched" if batched else "alone"
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite+aiosqlite:///{workdir}/{name}.db"
    upgrade(url)
    settings = load_settings(
        REPO / "config.yaml", database={"url": url}, sandbox=True, dialog={"batch_turns": batched}
    )
    services = build_services(settings)
    bot.nlu.warm_up_in_background(settings).join()
    prefix = f"o-{name}"

    def message(i: int) -> Inbound:
        return Inbound(
            channel="mp",
            account=settings.mp.app_id,
            user_id=f"{prefix}-{i % args.users:05d}",
            kind="text",
            received_at=services.clock.now(),
            text=UTTERANCES[i % len(UTTERANCES)],
            dedup_key=f"{prefix}:{i}",
        )

    async def run(first: int, n: int) -> None:
        todo = iter(range(first, first + n))

        async def sender() -> None:
            for i in todo:
                await bot.dialog.respond(services, message(i))

        await asyncio.gather(*(sender() for _ in range(args.concurrency)))

    await run(0, args.warmup)
    statements = Counter()
    engine = services.db.inline_engine or services.db.engine

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def count(_conn, _cursor, statement, _params, _context, _many) -> None:
        statements[statement.split(None, 1)[0].upper()] += 1

    @event.listens_for(engine.sync_engine, "commit")
    def committed(_conn) -> None:
        statements["COMMIT"] += 1

    from storage import driver  # the hot path's own statements (storage/driver.py)

    driver_before = driver.executed
    cpu0, wall0 = time.process_time(), time.perf_counter()
    await run(1_000_000, args.messages)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    statements["DRIVER"] = driver.executed - driver_before
    await services.close()
    n = args.messages
    return {
        "turns_per_s": n / wall,
        "cpu_ms_per_turn": cpu * 1000 / n,
        "statements_per_turn": (sum(statements.values()) - statements["COMMIT"]) / n,
        "commits_per_turn": statements.get("COMMIT", 0) / n,
    }


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="bench_dialog_") as d:
        results = {}
        for batched in (False, True):
            r = results[batched] = await measure(batched, args, Path(d))
            label = "batched (default)" if batched else "one transaction per turn"
            print(
                f"{label:26s} {r['turns_per_s']:7.0f} turns/s  CPU {r['cpu_ms_per_turn']:.2f} ms"
                f"/turn  {r['statements_per_turn']:.2f} SQL statements and"
                f" {r['commits_per_turn']:.2f} commits per turn",
                flush=True,
            )
    alone, batched = results[False], results[True]
    print(
        f"batched / alone: CPU per turn {batched['cpu_ms_per_turn'] / alone['cpu_ms_per_turn']:.2f},"
        f" statements per turn"
        f" {batched['statements_per_turn'] / alone['statements_per_turn']:.2f}"
    )


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--messages", type=int, default=3000)
    p.add_argument("--warmup", type=int, default=600)
    p.add_argument("--concurrency", type=int, default=50)
    p.add_argument("--users", type=int, default=500)
    asyncio.run(main(p.parse_args()))
