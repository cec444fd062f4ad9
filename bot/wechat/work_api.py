"""The WeCom (企业微信) app API: app messages to staff, welcome and guide-confirmed
messages to external contacts (customers added by a guide)."""

from __future__ import annotations

from typing import Any

from wechatpy.enterprise import WeChatClient

from bot.context import Services
from bot.wechat.base import BaseApi


class WorkApi(BaseApi):
    """``WorkApi.of(services)`` gives the process's one client (one token cache)."""

    name = "work"
    client_cls = WeChatClient

    def __init__(self, services: Services) -> None:
        w = services.settings.work
        super().__init__(services, w.api_base_url, w.corp_id, w.secret)
        self.agent_id = w.agent_id

    @classmethod
    def of(cls, services: Services) -> WorkApi:
        api = services.extras.get("work_api")
        if api is None:
            api = services.extras["work_api"] = cls(services)
        return api

    def _token_request(self) -> tuple[str, dict[str, Any]]:
        return "/cgi-bin/gettoken", {"corpid": self.appid, "corpsecret": self.secret}

    async def send_text(self, userids: list[str], text: str) -> dict:
        """An app message to staff (guides, engineers) by WeCom userid."""
        return await self.send(lambda c: c.message.send_text(self.agent_id, userids, text))

    async def send_markdown(self, userids: list[str], text: str) -> dict:
        return await self.send(lambda c: c.message.send_markdown(self.agent_id, userids, text))

    async def send_welcome_msg(self, welcome_code: str, text: str) -> dict:
        template = {"welcome_code": welcome_code, "text": {"content": text}}
        return await self.send(lambda c: c.external_contact.send_welcome_msg(template))

    async def add_msg_template(
        self, external_userids: list[str], text: str, sender: str | None = None
    ) -> dict:
        """A message the guide confirms in WeCom before it reaches the customers."""
        template: dict[str, Any] = {
            "chat_type": "single",
            "external_userid": list(external_userids),
            "text": {"content": text},
        }
        if sender:
            template["sender"] = sender
        return await self.send(lambda c: c.external_contact.add_msg_template(template))
