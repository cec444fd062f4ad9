#!/usr/bin/env python3
"""Load test: simulated customers in multi-turn conversations against `wxbot serve` on
PostgreSQL, with 1 and then 2 web processes (`--workers`), loopback only, bounded.

Each of ``--customers`` customers (its own openid) talks to /wechat/mp as WeChat would
(signed plain-mode XML, a fresh MsgId per message, a 5 s timeout), one message at a time,
through a real conversation that loops: greeting → repair booking (product, fault, time,
phone) → address → confirmation (a ticket) → ticket status → thanks. Per run: messages
answered per second, latency p50/p95/p99, errors (non-2xx or timeout; target 0), replies
that came back empty, tickets written, and the servers' RSS at the end (parent + workers).

A fresh database is created on the PostgreSQL server for each run and dropped afterwards.

    .venv/bin/python scripts/bench_load.py [--customers 200] [--seconds 60] [--workers 1,2]
    .venv/bin/python scripts/bench_load.py --customers 200 --seconds 600 --workers 2   # soak
    .venv/bin/python scripts/bench_load.py --customers 50 --seconds 20 --think 0 --core-budget 0.5

``--core-budget C`` gives every web process a CPU budget of its own, C cores (a cgroup
each: scripts/cpu_budget.py, root only): one worker gets C, two workers 2C, and the load
generator and PostgreSQL keep the rest of the machine, as if the servers had cores of their
own. Each run then also prints how often a budget ran out (it should, at every run: the
budget, not the generator, is the limit) and the servers' messages per second per core of
budget, which stays flat when workers scale with cores.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scripts.bench_pg import create_database, drop_database  # noqa: E402

CONVERSATION = [
    "你好",
    "明天上午来修一下客厅的格力空调 不制冷 电话{phone}",
    "上海市浦东新区张江路{n}弄3号501室",
    "确认",
    "查一下进度",
    "谢谢",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _count_tickets(url: str) -> int:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        return await conn.fetchval("SELECT count(*) FROM service_tickets")
    finally:
        await conn.close()


def _web_processes(pid: int, workers: int) -> list[int]:
    """The processes that serve: the server itself, or the supervisor's children."""
    import psutil

    if workers == 1:
        return [pid]
    children = psutil.Process(pid).children()
    if len(children) != workers:
        raise SystemExit(f"expected {workers} workers, found {len(children)}")
    return [c.pid for c in children]


def _servers(pid: int) -> list:
    import psutil

    parent = psutil.Process(pid)
    return [parent, *parent.children(recursive=True)]


def _rss_mb(pid: int) -> float:
    return sum(p.memory_info().rss for p in _servers(pid)) / 2**20


def _cpu_s(pid: int) -> float:
    """CPU seconds the servers used so far (steadier than msg/s on a busy machine)."""
    return sum(sum(p.cpu_times()[:2]) for p in _servers(pid))


async def _healthy(url: str, proc: subprocess.Popen, timeout_s: float = 60) -> None:
    import aiohttp

    deadline = time.monotonic() + timeout_s
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise SystemExit("wxbot serve exited before it was healthy")
            try:
                async with http.get(url + "/healthz") as resp:
                    if resp.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise SystemExit("wxbot serve never became healthy")


async def _customers(url: str, settings, n: int, seconds: float, think_s: float) -> dict:
    import aiohttp

    from tests.fakes import wxmsg

    token = settings.mp.token
    msg_ids = itertools.count(int(time.time() * 1000) % 10**12)
    latencies: list[float] = []
    errors: dict[str, int] = {}
    empty = 0
    stop_at = time.monotonic() + seconds
    timeout = aiohttp.ClientTimeout(total=5)

    async def customer(i: int, http: aiohttp.ClientSession) -> None:
        nonlocal empty
        openid = f"o-load-{i:04d}-{uuid.uuid4().hex[:6]}"
        phone = f"139{random.randrange(10**8):08d}"
        # arrivals spread over one think time, not 200 first contacts at the same instant
        await asyncio.sleep(random.random() * max(think_s, 0.5))
        for turn in itertools.cycle(CONVERSATION):
            if time.monotonic() >= stop_at:
                return
            text = turn.format(phone=phone, n=i % 300 + 1)
            body = wxmsg.text(openid, text, msg_id=next(msg_ids))
            query, data = wxmsg.inbound(body, token=token, timestamp=int(time.time()))
            started = time.perf_counter()
            try:
                async with http.post(
                    url + "/wechat/mp", params=query, data=data.encode(), timeout=timeout
                ) as resp:
                    reply = await resp.text()
                    status = resp.status
            except (aiohttp.ClientError, TimeoutError) as exc:
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                continue
            if status != 200:
                errors[str(status)] = errors.get(str(status), 0) + 1
                continue
            latencies.append(time.perf_counter() - started)
            if reply.strip() in ("", "success"):
                empty += 1
            if think_s:
                await asyncio.sleep(think_s)

    conn = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=conn) as http:
        started = time.monotonic()
        await asyncio.gather(*(customer(i, http) for i in range(n)))
        elapsed = time.monotonic() - started
    return {"latencies": latencies, "errors": errors, "empty": empty, "elapsed": elapsed}


async def run_one(workers: int, args, settings) -> dict:
    if args.core_budget:
        from scripts.cpu_budget import CpuBudgets

        with CpuBudgets(args.core_budget) as budgets:
            return await _run_one(workers, args, settings, budgets)
    return await _run_one(workers, args, settings, None)


async def _run_one(workers: int, args, settings, budgets) -> dict:
    name, url = await create_database(args.pg_dsn)
    try:
        from storage.migrate import upgrade

        upgrade(url)
        port = _free_port()
        argv = [sys.executable, "-m", "bot.cli", "--log-level", "WARNING", "serve"]
        argv += ["--port", str(port), "--role", "web"]
        if workers > 1:
            argv += ["--workers", str(workers)]
        # plain mode, as the load generator signs but does not encrypt (the cost of AES is
        # measured by scripts/bench_webhook.py)
        env = {**os.environ, "WXBOT_DATABASE__URL": url, "WXBOT_MP__MESSAGE_MODE": "plain"}
        log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)  # noqa: SIM115
        proc = subprocess.Popen(  # noqa: ASYNC220 - once per run, before the clock starts
            argv, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        base = f"http://127.0.0.1:{port}"
        try:
            await _healthy(base, proc)
            await asyncio.sleep(2.0 if workers > 1 else 0.5)  # every worker up and warm
            if budgets is not None:
                for pid in _web_processes(proc.pid, workers):
                    budgets.place(pid)
            cpu_before = _cpu_s(proc.pid)
            samples: list[float] = []

            async def sample_rss() -> None:  # once a minute: flat memory in a soak
                while True:
                    await asyncio.sleep(60)
                    samples.append(_rss_mb(proc.pid))

            sampler = asyncio.create_task(sample_rss())
            result = await _customers(base, settings, args.customers, args.seconds, args.think)
            sampler.cancel()
            result["rss_samples"] = samples
            result["cpu_s"] = _cpu_s(proc.pid) - cpu_before
            if budgets is not None:
                result["throttled"] = sum(budgets.throttled().values())
                result["budget_cores"] = budgets.cores * workers
            result["rss_mb"] = _rss_mb(proc.pid)
            result["tickets"] = await _count_tickets(url)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        result["workers"] = workers
        result["log"] = log.name
        return result
    finally:
        await drop_database(args.pg_dsn, name)


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000


def _rate(r: dict) -> float:
    return len(r["latencies"]) / r["elapsed"]


def _cpu_per_msg(r: dict) -> float:
    return r["cpu_s"] / max(len(r["latencies"]), 1)


def report(r: dict, customers: int) -> str:
    lat = r["latencies"]
    errors = sum(r["errors"].values())
    detail = f" {r['errors']}" if r["errors"] else ""
    return (
        f"workers={r['workers']}  customers={customers}  {len(lat)} answered in "
        f"{r['elapsed']:.0f} s = {_rate(r):.0f} msg/s  "
        f"p50 {_pct(lat, 0.50):.0f} ms  p95 {_pct(lat, 0.95):.0f} ms  "
        f"p99 {_pct(lat, 0.99):.0f} ms  mean {statistics.fmean(lat) * 1000 if lat else 0:.0f} ms  "
        f"errors {errors}{detail}  empty {r['empty']}  tickets {r['tickets']}  "
        f"server CPU {_cpu_per_msg(r) * 1000:.1f} ms/msg  RSS {r['rss_mb']:.0f} MB"
        + (
            f"  budget {r['budget_cores']:g} cores: {_rate(r) / r['budget_cores']:.0f}"
            f" msg/s per core, ran out in {r['throttled']} periods"
            if "budget_cores" in r
            else ""
        )
        + (
            "  RSS each minute " + " ".join(f"{m:.0f}" for m in r["rss_samples"])
            if len(r["rss_samples"]) > 1
            else ""
        )
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--customers", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--workers", default="1,2", help="comma-separated runs, e.g. 1,2")
    ap.add_argument("--think", type=float, default=0.0, help="seconds between a customer's turns")
    ap.add_argument(
        "--pg-dsn",
        default=os.environ.get("WXBOT_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test"),
        help="an admin DSN on the PostgreSQL server (a fresh database is made per run)",
    )
    ap.add_argument(
        "--core-budget",
        type=float,
        default=0.0,
        help="CPU cores each web process may use (a cgroup each; root): the generator and "
        "PostgreSQL keep the rest, as if the servers had cores of their own",
    )
    args = ap.parse_args()
    if args.core_budget:
        from scripts.cpu_budget import available

        if (why := available()) is not None:
            raise SystemExit(f"--core-budget: {why}")
    if not 0 < args.seconds <= 900 or not 0 < args.customers <= 2000:
        raise SystemExit("bounded: --seconds 1..900, --customers 1..2000")
    from bot.config import load_settings

    settings = load_settings(REPO / "config.yaml")
    budget = f", {args.core_budget:g} core per web process" if args.core_budget else ""
    print(f"bench_load: {os.cpu_count()} CPUs, PostgreSQL, plain-mode webhook, loopback{budget}")
    runs = []
    for workers in [int(w) for w in args.workers.split(",")]:
        runs.append(asyncio.run(run_one(workers, args, settings)))
        print(report(runs[-1], args.customers), flush=True)
    first = runs[0]
    for r in runs[1:]:
        print(
            f"{r['workers']} workers / {first['workers']}: msg/s {_rate(r) / _rate(first):.2f}x, "
            f"server CPU per message {_cpu_per_msg(r) / _cpu_per_msg(first):.2f}x"
        )


if __name__ == "__main__":
    main()
