"""WeCom group robots (community groups)."""

from __future__ import annotations

from bot.context import Services
from bot.wechat.robot_api import RobotApi
from storage.models import OutboxMessage


async def send(services: Services, row: OutboxMessage, key: str) -> None:
    api = RobotApi.of(services)
    p = row.payload or {}
    kind = p.get("msgtype", "text")
    if kind == "markdown":
        await api.send_markdown(key, row.text or "")
    elif kind == "news":
        await api.send_news(key, p["articles"])
    else:
        await api.send_text(key, row.text or "", mentioned=p.get("mentioned"))
