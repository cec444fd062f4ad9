"""``wxbot serve`` as a real subprocess, and a client that posts to it the way WeChat does."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp

REPO = Path(__file__).resolve().parent.parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    """One ``wxbot serve`` process on a free port (stderr to a file, read on failure)."""

    def __init__(self, env: dict[str, str], *args: str, log_dir: Path) -> None:
        self.port = free_port()
        self.log = log_dir / f"serve-{self.port}.log"
        full_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env}
        with open(self.log, "w") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "serve", "--port", str(self.port), *args],
                env=full_env,
                cwd=REPO,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def healthy(self, timeout_s: float = 40) -> None:
        deadline = time.monotonic() + timeout_s
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    break
                try:
                    async with http.get(self.url + "/healthz") as resp:
                        if resp.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
        raise AssertionError(f"wxbot serve never became healthy:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Http:
    """What :class:`tests.fakes.wxmsg.Sender` needs of a client, against a real server;
    each request times out after ``timeout_s`` as WeChat's do (5 s)."""

    def __init__(self, session: aiohttp.ClientSession, base: str, timeout_s: float = 5.0):
        self.session, self.base = session, base
        self.timeout = aiohttp.ClientTimeout(total=timeout_s)

    async def post(self, path: str, **kw: Any) -> aiohttp.ClientResponse:
        return await self.session.post(self.base + path, timeout=self.timeout, **kw)
