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


async def digest_lines(services: Services, store_id: int, on: date) -> list[str]:
    start, end = window(services, on)
    async with services.db.session() as s:
        rows = await repo.losses(s, store_id, start, end)
        out: list[str] = []
        for change, _at, name, phone, guide, last_in, cid in rows[:10]:
            what = WHAT.get(change.split(":")[0], change).format(guide=guide or "")
            history = [f"最近联系{local_day(services, last_in)}" if last_in else "近期未联系"]
            if cid is not None:
                for t in await tickets_repo.for_customer(s, cid, limit=1):
                    history.append(f"{local_day(services, t.created_at)}{KIND.get(t.kind, t.kind)}")
            who = f"{name or '顾客'}（{mask_phone(phone)}）" if phone else (name or "一位顾客")
            out.append(f"· {who}{what}；" + "，".join(history))
    if not rows:
        return []
    head = f"企业微信客户流失（{len(rows)}位），请关心一下："
    more = [f"……还有{len(rows) - 10}位，详见后台。"] if len(rows) > 10 else []
    return [head, *out, *more]
