"""The Official Account (服务号) API: customer-service and template messages, users, menu."""

from __future__ import annotations

from typing import Any

from wechatpy import WeChatClient

from bot.context import Services
from bot.wechat.base import BaseApi


class MpApi(BaseApi):
    """``MpApi.of(services)`` gives the process's one client (one token cache)."""

    name = "mp"
    client_cls = WeChatClient

    def __init__(self, services: Services) -> None:
        mp = services.settings.mp
        super().__init__(services, mp.api_base_url, mp.app_id, mp.app_secret)

    @classmethod
    def of(cls, services: Services) -> MpApi:
        api = services.extras.get("mp_api")
        if api is None:
            api = services.extras["mp_api"] = cls(services)
        return api

    def _token_request(self) -> tuple[str, dict[str, Any]]:
        return "/cgi-bin/token", {
            "grant_type": "client_credential",
            "appid": self.appid,
            "secret": self.secret,
        }

    async def send_text(self, openid: str, text: str) -> dict:
        """A customer-service message (the customer wrote within 48 hours)."""
        return await self.send(lambda c: c.message.send_text(openid, text))

    async def send_image(self, openid: str, media_id: str) -> dict:
        return await self.send(lambda c: c.message.send_image(openid, media_id))

    async def send_news(self, openid: str, articles: list[dict[str, Any]]) -> dict:
        """``articles``: [{title, description, url, picurl}] (one article is shown)."""
        blank = {"title": "", "description": "", "url": "", "picurl": ""}  # wechatpy needs them
        full = [{**blank, **a} for a in articles]
        return await self.send(lambda c: c.message.send_articles(openid, full))

    async def send_menu(
        self, openid: str, head: str, items: list[tuple[str, str]], tail: str = ""
    ) -> dict:
        """A tap-to-answer menu: ``items`` are (id, text) pairs."""
        msgmenu = {
            "head_content": head,
            "list": [{"id": i, "content": t} for i, t in items],
            "tail_content": tail,
        }
        return await self.send(lambda c: c.message.send_msg_menu(openid, msgmenu))

    async def send_template(
        self, openid: str, template_id: str, data: dict[str, Any], url: str | None = None
    ) -> dict:
        """``data`` like {"first": {"value": "..."}, "keyword1": {"value": "..."}}."""
        return await self.send(lambda c: c.message.send_template(openid, template_id, data, url))

    async def user_info(self, openid: str) -> dict:
        sandbox = {"subscribe": 1, "openid": openid, "sandbox": True}
        return await self.call(lambda c: c.user.get(openid), sandbox_answer=sandbox)

    async def create_menu(self, menu: dict[str, Any]) -> dict:
        return await self.call(lambda c: c.menu.create(menu))
