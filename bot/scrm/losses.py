"""Customers a store lost in WeCom — a customer deleted their guide, a guide deleted a
customer, a hand-over the customer refused — for the store manager's morning digest, each
with the customer's recent history (last contact, last service)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from bot.context import Services
from bot.work.util import local_day, mask_phone
from storage.repos import handover as repo
from storage.repos import tickets as tickets_repo

DIGEST_HOUR = 9  # the window runs from yesterday's digest to today's
WHAT = {
    "del_follow_user": "删除了导购{guide}",
    "del_external_contact": "被导购{guide}删除",
    "transfer_fail": "转给{guide}未成功",
}
KIND = {"repair": "维修", "install": "安装", "cleaning": "清洗", "trade_in": "以旧换新"}


def window(services: Services, on: date) -> tuple[datetime, datetime]:
    tz = services.settings.tz
    end = datetime.combine(on, time(DIGEST_HOUR), tz)
    return end - timedelta(days=1), end


def _line(services: Services, row, tickets) -> str:
    change, _at, name, phone, guide, last_in = row[:6]
    what = WHAT.get(change.split(":")[0], change).format(guide=guide or "")
    history = [f"最近联系{local_day(services, last_in)}" if last_in else "近期未联系"]
    for t in tickets:
        history.append(f"{local_day(services, t.created_at)}{KIND.get(t.kind, t.kind)}")
    who = f"{name or '顾客'}（{mask_phone(phone)}）" if phone else (name or "一位顾客")
    return f"· {who}{what}；" + "，".join(history)


async def notify_now(services: Services) -> int:
    """With ``scrm.contact_loss_notify: now``: tell the store's managers of the latest loss
    at once (an app message), besides the morning digest. Returns messages queued."""
    from bot.scrm.settings import scrm_config
    from storage.repos import outbox as outbox_repo

    if scrm_config(services.settings).get("contact_loss_notify", "digest") != "now":
        return 0
    async with services.db.transaction() as s:
        row = await repo.last_loss(s)
        if row is None or row[7] is None:
            return 0
        tickets = await tickets_repo.for_customer(s, row[6], limit=1) if row[6] else []
        text = "企业微信客户流失：\n" + _line(services, row, tickets)
        queued = 0
        for userid in await repo.managers(s, row[7]):
            got = await outbox_repo.enqueue(
                s,
                channel="work_app",
                recipient=userid,
                kind="notice",
                rule="contact_loss",
                text=text,
                not_before=services.clock.now(),
            )
            queued += got is not None
    return queued


async def digest_lines(services: Services, store_id: int, on: date) -> list[str]:
    start, end = window(services, on)
    async with services.db.session() as s:
        rows = await repo.losses(s, store_id, start, end)
        out: list[str] = []
        for row in rows[:10]:
            cid = row[6]
            tickets = await tickets_repo.for_customer(s, cid, limit=1) if cid else []
            out.append(_line(services, row, tickets))
    if not rows:
        return []
    head = f"企业微信客户流失（{len(rows)}位），请关心一下："
    more = [f"……还有{len(rows) - 10}位，详见后台。"] if len(rows) > 10 else []
    return [head, *out, *more]
