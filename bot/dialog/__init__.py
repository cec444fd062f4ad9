"""The dialog engine's entry point: one inbound message in, one reply out.

(Placeholder until the form engine lands: it answers with what the bot can do.)
"""

from __future__ import annotations

from bot.context import Services
from bot.messages import Inbound, Reply

MENU = "您好，我是售后小助手，可以帮您：报修/安装/清洗、以旧换新估价、买滤芯、查保修、查进度。直接说需要什么就好～"


async def respond(services: Services, inbound: Inbound) -> Reply:
    return Reply(text=MENU, intent="unknown")
