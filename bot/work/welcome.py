"""The welcome message a customer gets when they add a guide, sent with the event's
WelcomeCode (valid 20 seconds), and kept in the outbox as a ``work_contact`` row."""

from __future__ import annotations

import logging

from bot.context import Services
from bot.wechat.errors import WeChatError
from bot.work.staff import Who
from storage.repos import outbox as outbox_repo

log = logging.getLogger(__name__)

WELCOME = (
    "您好，我是{store}的{guide}，很高兴为您服务～\n"
    "家电报修、安装清洗、滤芯更换、以旧换新，随时找我就好。"
)
WELCOME_PLAIN = "您好，很高兴为您服务～家电报修、安装清洗、滤芯更换、以旧换新，随时找我就好。"
LEASE_S = 60


def welcome_text(guide: Who | None) -> str:
    if guide is None:
        return WELCOME_PLAIN
    return WELCOME.format(store=guide.store_name or "门店", guide=guide.name)


async def send_welcome(
    services: Services, guide: Who | None, external_userid: str, code: str, customer_id: int | None
) -> bool:
    """Send now (not at the dispatcher's next tick: the code expires in 20 s). The row is
    claimed as it is written, so the dispatcher never sends it a second time."""
    from bot.wechat.work_api import WorkApi

    text = welcome_text(guide)
    now = services.clock.now()
    async with services.db.transaction() as s:
        row = await outbox_repo.enqueue(
            s,
            channel="work_contact",
            recipient=external_userid,
            text=text,
            kind="service",
            customer_id=customer_id,
            rule="welcome",
            idem_key=f"welcome:{code}"[:200],
            payload={
                "msgtype": "welcome",
                "welcome_code": code,
                "sender": guide.userid if guide else None,
            },
        )
        if row is None:
            return False  # already sent for this code
        s.expunge(row)  # claim's RETURNING must load fresh values, not the cached row
        claimed = await outbox_repo.claim(s, now, limit=1, lease_s=LEASE_S, ids=[row.id])
    if not claimed:
        return False
    row_id, attempts = claimed[0].id, claimed[0].attempts
    for attempt in range(2):  # one quick retry for network trouble: the code lives 20 s
        try:
            await WorkApi.of(services).send_welcome_msg(code, text)
            break
        except WeChatError as exc:
            if exc.retryable and attempt == 0:
                continue
            log.warning("work: welcome message failed (%s)", exc)
            async with services.db.transaction() as s:
                await outbox_repo.mark_final(s, row_id, attempts, "dead", f"welcome: {exc}"[:500])
            return False
    async with services.db.transaction() as s:
        await outbox_repo.mark_sent(
            s, row_id, attempts, services.clock.now(), sandbox=services.settings.sandbox
        )
    return True
