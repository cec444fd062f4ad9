"""WeCom group robots: POST {base}/cgi-bin/webhook/send?key=KEY. Each robot takes at most
``work.robot_per_minute`` messages a minute; more wait their turn (a queue, not an error)."""

from __future__ import annotations

from typing import Any

import aiohttp

from bot.context import Services
from bot.wechat.base import HTTP_TIMEOUT_S, SANDBOX_OK
from bot.wechat.errors import Transient, WeChatError, from_errcode
from bot.wechat.rate_limit import Limiter, MinuteLimiter, limiter_for

__all__ = ["MinuteLimiter", "RobotApi"]


class RobotApi:
    """``RobotApi.of(services)``: send_text / send_markdown / send_news to a robot key."""

    def __init__(self, services: Services, limiter: Limiter | None = None) -> None:
        self.services = services
        self.base_url = services.settings.work.api_base_url.rstrip("/")
        self.limiter = limiter or limiter_for(services, services.settings.work.robot_per_minute)

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
