"""`wxbot serve` starts, answers /healthz and /metrics, and stops cleanly on SIGTERM."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_health_and_metrics(settings):
    port = _free_port()
    env = {"WXBOT_DATABASE__URL": settings.database.url, "PATH": "/usr/bin:/bin"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--port", str(port), "--role", "web"],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        body = None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as resp:
                    body = resp.read().decode()
                    break
            except OSError:
                time.sleep(0.1)
        assert body is not None and '"ok"' in body
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as resp:
            metrics = resp.read().decode()
        assert 'wxbot_http_requests_total{route="/healthz",status="200"}' in metrics
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err
    assert "Traceback" not in err


async def test_healthz_is_503_when_the_database_is_gone(services):
    from aiohttp.test_utils import TestClient, TestServer

    from bot.app import create_app

    async def boom() -> bool:
        raise OSError("disk gone")

    services.db.ping = boom  # type: ignore[method-assign]
    async with TestClient(TestServer(create_app(services, channels=False))) as client:
        resp = await client.get("/healthz")
        assert resp.status == 503
        assert (await resp.json())["database"] == "unreachable"


async def test_start_up_objects_leave_the_garbage_collector_once_the_nlu_is_warm(services):
    """Full collections would otherwise walk the NLU model on every pass (60 ms pauses
    under load, scripts/bench_webhook.py --no-gc-freeze)."""
    import asyncio
    import gc

    from bot import runtime

    gc.unfreeze()
    try:
        await runtime.start_background(services, "web")
        for _ in range(400):
            if gc.get_freeze_count():
                break
            await asyncio.sleep(0.05)
        assert gc.get_freeze_count() > 100_000  # the model and dictionaries, not a handful
    finally:
        gc.unfreeze()


def test_start_up_log_is_a_few_lines_an_operator_reads(settings):
    """Role all starts the scheduler without APScheduler's per-job chatter (six 'Adding job
    tentatively' lines and plan_today listed twice before this)."""
    port = _free_port()
    env = {"WXBOT_DATABASE__URL": settings.database.url, "PATH": "/usr/bin:/bin"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--port", str(port), "--role", "all"],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        time.sleep(1.0)  # the plan-at-start job runs just after start-up
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=15)
    assert proc.returncode == 0, out
    assert "wxbot serving on" in out
    assert "apscheduler" not in out, out
    assert out.count("plan_today") <= 1, out
