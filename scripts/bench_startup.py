#!/usr/bin/env python
"""Cold start of `wxbot serve`: time to the first healthy /healthz, and RSS after start.

Run: .venv/bin/python scripts/bench_startup.py [--runs 3]
Targets (issue 3): under 3 s and under 150 MB. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def one_run(db_url: str, role: str) -> tuple[float, float, float]:
    port = free_port()
    env = {**os.environ, "WXBOT_DATABASE__URL": db_url}
    started = time.perf_counter()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot.cli",
            "--log-level",
            "WARNING",
            "serve",
            "--port",
            str(port),
            "--role",
            role,
        ],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.02)
            if time.perf_counter() - started > 60:
                raise SystemExit("no healthy answer within 60 s")
        ready = time.perf_counter() - started
        rss_ready = psutil.Process(proc.pid).memory_info().rss / 2**20
        time.sleep(2.0)  # background warm-up (jieba, classifier) finishes
        rss_settled = psutil.Process(proc.pid).memory_info().rss / 2**20
        return ready, rss_ready, rss_settled
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--role", default="all")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        env = {**os.environ, "WXBOT_DATABASE__URL": url}
        for cmd in (["db", "upgrade"], ["demo", "seed"]):
            subprocess.run(
                [sys.executable, "-m", "bot.cli", "--log-level", "WARNING", *cmd],
                env=env,
                cwd=REPO,
                check=True,
            )
        results = [one_run(url, args.role) for _ in range(args.runs)]
    ready = [r[0] for r in results]
    print(
        f"cold start to healthy /healthz (role={args.role}, {args.runs} runs): "
        f"median {statistics.median(ready):.2f} s, max {max(ready):.2f} s  (target < 3 s)"
    )
    print(
        f"RSS when healthy: median {statistics.median(r[1] for r in results):.0f} MB; "
        f"after warm-up: median {statistics.median(r[2] for r in results):.0f} MB  (target < 150 MB)"
    )


if __name__ == "__main__":
    main()
