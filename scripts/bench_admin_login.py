#!/usr/bin/env python
"""A login flood against /admin/login while /healthz is timed; prints memory and latency.

    .venv/bin/python scripts/bench_admin_login.py                  # 1,500 attempts, 60 KB names
    .venv/bin/python scripts/bench_admin_login.py --attempts 3000 --concurrency 32

The server runs in a process of its own. The flood comes from many client addresses through a trusted proxy (the worst case for
the lock-out store: one key per attempt) with real scrypt checks. Printed: RSS before and
after, lock-out store entries, how the attempts were answered (401 checked / 503 busy /
429 locked), and /healthz p50 / p95 alone and during the flood. Loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import multiprocessing
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import psutil
from aiohttp import ClientSession, web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.app import create_app  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.context import build_services  # noqa: E402
from bot.web.admin.session import AUTH  # noqa: E402
from storage.migrate import upgrade  # noqa: E402


async def _healthz(session: ClientSession, base: str, n: int, pause: float) -> list[float]:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        async with session.get(base + "/healthz") as r:
            await r.read()
        times.append((time.perf_counter() - t) * 1000)
        await asyncio.sleep(pause)
    return times


def _p(times: list[float], q: float) -> float:
    return statistics.quantiles(times, n=100)[int(q) - 1] if len(times) > 2 else max(times)


def _serve(ready, stop, stats) -> None:
    """The server, in a process of its own (so the flooding client does not share its loop)."""

    async def run() -> None:
        tmp = Path(tempfile.mkdtemp(prefix="wxbot-bench-login-"))
        url = f"sqlite+aiosqlite:///{tmp / 'wxbot.db'}"
        upgrade(url)
        settings = load_settings(
            ROOT / "config.yaml",
            database={"url": url},
            sandbox=True,
            server={"trusted_proxies": ["127.0.0.1"]},
        )
        services = build_services(settings)
        app = create_app(services)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        ready.put(site._server.sockets[0].getsockname()[1])
        await asyncio.get_running_loop().run_in_executor(None, stop.wait)
        auth = app[AUTH]
        stats.put((len(auth.lockout), len(auth.ip_lockout)))
        await runner.cleanup()
        await services.close()

    logging.disable(logging.WARNING)
    asyncio.run(run())


async def main(args) -> None:
    ctx = multiprocessing.get_context("spawn")
    ready, stats, stop = ctx.Queue(), ctx.Queue(), ctx.Event()
    server = ctx.Process(target=_serve, args=(ready, stop, stats))
    server.start()
    port = ready.get(timeout=120)
    base = f"http://127.0.0.1:{port}"
    proc = psutil.Process(server.pid)
    name = "x" * args.name_bytes
    async with ClientSession() as session:
        async with session.get(base + "/admin/login") as r:
            token = re.search(r'name="csrf" value="([^"]*)"', await r.text()).group(1)
        alone = await _healthz(session, base, 50, 0.01)
        rss_before = proc.memory_info().rss
        answers: Counter[int] = Counter()
        queue = iter(range(args.attempts))

        async def worker() -> None:
            for i in queue:
                async with session.post(
                    base + "/admin/login",
                    data={"csrf": token, "username": f"{i}{name}", "password": "wrong"},
                    headers={
                        "Cookie": f"wxbot_login={'forged' if args.forged_csrf else token}",
                        "X-Forwarded-For": f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}",
                    },
                ) as r:
                    await r.read()
                    answers[r.status] += 1

        started = time.perf_counter()
        flood = asyncio.gather(*(worker() for _ in range(args.concurrency)))
        during = await _healthz(session, base, 100, 0.05)
        await flood
        took = time.perf_counter() - started
        rss_after = proc.memory_info().rss
    stop.set()
    pair, address = stats.get(timeout=60)
    server.join(timeout=60)
    print(f"attempts: {args.attempts} × {args.name_bytes // 1000} KB names in {took:.1f} s")
    print(
        f"answers: {dict(sorted(answers.items()))}  (401 checked, 503 busy, 429 locked, 403 CSRF)"
    )
    print(f"lock-out entries: pair {pair}, address {address}")
    print(f"server RSS: {rss_before / 2**20:.0f} MB → {rss_after / 2**20:.0f} MB")
    print(f"/healthz alone: p50 {_p(alone, 50):.1f} ms, p95 {_p(alone, 95):.1f} ms")
    print(f"/healthz during: p50 {_p(during, 50):.1f} ms, p95 {_p(during, 95):.1f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--attempts", type=int, default=1500)
    parser.add_argument("--name-bytes", type=int, default=60_000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--forged-csrf",
        action="store_true",
        help="the same flood refused at the CSRF check (403, no password check): a baseline",
    )
    asyncio.run(main(parser.parse_args()))
