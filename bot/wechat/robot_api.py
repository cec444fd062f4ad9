"""WeCom group robots: POST {base}/cgi-bin/webhook/send?key=KEY. Each robot takes at most
``work.robot_per_minute`` messages a minute; more wait their turn (a queue, not an error)."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from bot.context import Services
from bot.wechat.base import HTTP_TIMEOUT_S, SANDBOX_OK
from bot.wechat.errors import Transient, WeChatError, from_errcode


class MinuteLimiter:
    """At most ``per_minute`` passes in any 60-second window, per key; callers wait."""

    def __init__(
        self,
        per_minute: int,
        now: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self.per_minute = per_minute
        self.now = now
        self.sleep = sleep
        self._sent: dict[str, deque[float]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def wait(self, key: str) -> None:
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:  # FIFO: asyncio.Lock wakes waiters in order
            sent = self._sent.setdefault(key, deque())
            while True:
                now = self.now()
                while sent and sent[0] <= now - 60:
                    sent.popleft()
                if len(sent) < self.per_minute:
                    sent.append(now)
                    return
                await self.sleep(sent[0] + 60 - now)


class RobotApi:
    """``RobotApi.of(services)``: send_text / send_markdown / send_news to a robot key."""

    def __init__(self, services: Services, limiter: MinuteLimiter | None = None) -> None:
        self.services = services
        self.base_url = services.settings.work.api_base_url.rstrip("/")
        self.limiter = limiter or MinuteLimiter(services.settings.work.robot_per_minute)

    @classmethod
    def of(cls, services: Services) -> RobotApi:
        api = services.extras.get("robot_api")
        if api is None:
            api = services.extras["robot_api"] = cls(services)
        return api

    async def send(self, key: str, body: dict[str, Any]) -> dict:
        await self.limiter.wait(key)
        if self.services.settings.sandbox:
            return dict(SANDBOX_OK)
        url = f"{self.base_url}/cgi-bin/webhook/send"
        try:
            async with (
                aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=HTTP_TIMEOUT_S)) as http,
                http.post(url, params={"key": key}, json=body) as resp,
            ):
                if resp.status >= 500:
                    raise Transient(None, f"HTTP {resp.status}")
                if resp.status >= 400:
                    raise WeChatError(None, f"HTTP {resp.status}")
                data = await resp.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise Transient(None, type(exc).__name__) from None
        if data.get("errcode"):
            raise from_errcode(int(data["errcode"]), str(data.get("errmsg", "")))
        return data

    async def send_text(self, key: str, text: str, mentioned: list[str] | None = None) -> dict:
        body: dict[str, Any] = {"msgtype": "text", "text": {"content": text}}
        if mentioned:
            body["text"]["mentioned_list"] = mentioned
        return await self.send(key, body)

    async def send_markdown(self, key: str, text: str) -> dict:
        return await self.send(key, {"msgtype": "markdown", "markdown": {"content": text}})

    async def send_news(self, key: str, articles: list[dict[str, Any]]) -> dict:
        """``articles``: [{title, description, url, picurl}]."""
        return await self.send(key, {"msgtype": "news", "news": {"articles": articles}})
