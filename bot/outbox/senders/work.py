"""WeCom: app messages to staff (userids joined by '|'), guide-confirmed messages to customers."""

from __future__ import annotations

from bot.context import Services
from bot.wechat.work_api import WorkApi
from storage.models import OutboxMessage


async def send_app(services: Services, row: OutboxMessage, userids: str) -> None:
    api = WorkApi.of(services)
    users = userids.split("|")
    if (row.payload or {}).get("msgtype") == "markdown":
        await api.send_markdown(users, row.text or "")
    else:
        await api.send_text(users, row.text or "")


async def send_contact(services: Services, row: OutboxMessage, external_userid: str) -> None:
    payload = row.payload or {}
    if payload.get("welcome_code"):
        # A welcome message retried after a crash: it can only go out with its welcome code
        # (WeCom rejects an expired one), never as a guide-confirmed mass message.
        await WorkApi.of(services).send_welcome_msg(payload["welcome_code"], row.text or "")
        return
    sender = payload.get("sender")
    await WorkApi.of(services).add_msg_template([external_userid], row.text or "", sender=sender)
