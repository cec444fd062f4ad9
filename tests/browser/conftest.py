"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright, against the app on
127.0.0.1 and a random port. Skipped, with the reason, when either is missing; Playwright's
own browser downloads are never used."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from bot.app import create_app
from bot.demo import seed_demo

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "artifacts" / "screenshots"
CHROMIUM = os.environ.get("WXBOT_TEST_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _missing() -> str | None:
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed (pip install playwright)"
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"no Chromium at {CHROMIUM} (apt-get install -y chromium)"
    return None


@pytest.fixture
async def context() -> AsyncIterator[object]:
    """A browser context in a fresh profile directory (--user-data-dir)."""
    reason = _missing()
    if reason:
        pytest.skip(reason)
    from playwright.async_api import async_playwright

    profile = tempfile.mkdtemp(prefix="wxbot-chromium-")
    async with async_playwright() as pw:
        ctx = await pw.chromium.launch_persistent_context(
            profile,  # Playwright passes it as --user-data-dir
            executable_path=CHROMIUM,
            headless=True,
            args=ARGS,
            viewport={"width": 1280, "height": 900},
            locale="zh-CN",
            timeout=60_000,
        )
        ctx.set_default_timeout(20_000)
        try:
            yield ctx
        finally:
            await ctx.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
async def live(services) -> AsyncIterator[str]:
    """The whole app (webhooks, playground, admin) over the demo world; its base URL."""
    await seed_demo(services)
    server = TestServer(create_app(services), host="127.0.0.1", port=0)
    await server.start_server()
    try:
        yield str(server.make_url("")).rstrip("/")
    finally:
        await server.close()


@pytest.fixture
def shot():
    """``await shot(page, name)`` saves artifacts/screenshots/<name>.png (full page)."""
    SHOTS.mkdir(parents=True, exist_ok=True)

    async def take(page, name: str) -> Path:
        path = SHOTS / f"{name}.png"
        await page.screenshot(path=str(path), full_page=True)
        return path

    return take
