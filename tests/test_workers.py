"""``wxbot serve --workers 2``: two web processes answer on one port, a killed one is
restarted by the parent, and SIGTERM to the parent stops them all."""

from __future__ import annotations

import asyncio
import os
import signal

import aiohttp
import pytest

from tests.fakes.served import Served

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


async def _pids(url: str, tries: int = 40) -> set[int]:
    seen: set[int] = set()
    for _ in range(tries):
        async with aiohttp.ClientSession() as http:  # a new connection each time
            try:
                async with http.get(url + "/healthz") as resp:
                    if resp.status == 200:
                        seen.add((await resp.json())["pid"])
            except aiohttp.ClientError:
                await asyncio.sleep(0.05)
    return seen


async def test_two_workers_share_the_port_and_a_killed_one_comes_back(pg_url, tmp_path):
    served = Served(
        {"WXBOT_DATABASE__URL": pg_url}, "--workers", "2", "--role", "web", log_dir=tmp_path
    )
    try:
        await served.healthy()
        pids: set[int] = set()
        for _ in range(20):
            pids |= await _pids(served.url)
            if len(pids) == 2:
                break
        assert len(pids) == 2, pids
        assert served.proc.pid not in pids  # the parent only supervises
        victim = min(pids)
        os.kill(victim, signal.SIGKILL)
        back: set[int] = set()
        for _ in range(100):
            back = await _pids(served.url, tries=10)
            if victim not in back and len(back) == 2:
                break
            await asyncio.sleep(0.2)
        assert victim not in back and len(back) == 2, (victim, back)
        served.proc.send_signal(signal.SIGTERM)
        assert served.proc.wait(timeout=30) == 0
        for pid in back:
            with pytest.raises(ProcessLookupError):
                os.kill(pid, 0)
    finally:
        served.stop()


def test_workers_on_sqlite_are_refused_with_a_clear_message(settings):
    import subprocess
    import sys

    from tests.fakes.served import REPO

    env = {"WXBOT_DATABASE__URL": settings.database.url, "PATH": os.environ.get("PATH", "")}
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "serve", "--workers", "2"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "--workers needs PostgreSQL" in done.stderr
