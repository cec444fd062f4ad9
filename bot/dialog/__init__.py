"""The dialog engine's entry point: one inbound message in, one reply out.

``respond(services, inbound)`` is what the webhook, ``wxbot chat`` and tests call. Forms and
the intent table: bot/dialog/forms.py, bot/dialog/routes.py; the guide: notes/dialog-api.md.
"""

from __future__ import annotations

from bot.context import Services
from bot.messages import Inbound, Reply

MENU = (
    "我可以帮您：\n"
    "1. 报修 / 预约安装 / 预约清洗\n"
    "2. 以旧换新估价、租家电（短租长租都行）\n"
    "3. 买滤芯、查保修、登记新买的电器\n"
    "4. 查进度、评价服务、找人工客服\n"
    "直接说需要什么就好～"
)


async def respond(services: Services, inbound: Inbound) -> Reply:
    from bot.dialog.engine import respond as _respond

    return await _respond(services, inbound)
