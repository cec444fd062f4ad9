"""The 09:00 digest to each guide: today's tasks, open complaints, yesterday's results.

Queued as one ``work_app`` row per guide and day (idempotent), then sent by the outbox.
Wire it into the scheduler with a daily 09:00 job::

    await bot.work.digest.send_digests(services, services.clock.local_now().date())
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from bot.context import Services
from bot.work.staff import Who, who
from bot.work.util import day_bounds
from storage.models import Customer
from storage.repos import handover as handover_repo
from storage.repos import outbox as outbox_repo
from storage.repos import tasks as tasks_repo

log = logging.getLogger(__name__)


@dataclass
class Digest:
    userid: str
    name: str
    text: str
    row_id: int | None = None


async def build(services: Services, guide: Who, on: date) -> str:
    start, end = day_bounds(services, on)
    ystart, _ = day_bounds(services, on - timedelta(days=1))
    async with services.db.session() as s:
        tasks = [
            t for t in await tasks_repo.today_list(s, guide.id, on, start) if t.status == "open"
        ]
        names: dict[int, str] = {}
        for t in tasks:
            if t.customer_id and t.customer_id not in names:
                c = await s.get(Customer, t.customer_id)
                names[t.customer_id] = (c.name or "") if c else ""
        complaints = await tasks_repo.open_complaints(s, guide.id, guide.store_id)
        closed = await tasks_repo.closed_between(s, guide.id, ystart, start)
        leads = await tasks_repo.leads_between(s, guide.id, ystart, start)
    lines = [f"{guide.name}，早上好！{on.month}月{on.day}日的工作提要："]
    if tasks:
        lines.append(f"今天的任务（{len(tasks)}）：")
        for n, t in enumerate(tasks[:10], start=1):
            who_ = names.get(t.customer_id or 0, "")
            extra = f"｜{who_}" if who_ and who_ not in t.title else ""
            lines.append(f"{n}. {t.title}{extra}")
        if len(tasks) > 10:
            lines.append(f"……还有{len(tasks) - 10}条，发“任务”查看全部。")
    else:
        lines.append("今天没有待办任务。")
    if complaints:
        lines.append(f"待跟进的投诉/求助：{len(complaints)}条，请尽快联系顾客。")
    if guide.role == "manager":
        lines += await _losses(services, guide.store_id, on)
    done = closed.get("done", 0) + closed.get("pushed", 0)
    lines.append(
        f"昨天：完成任务{done}条（其中推送{closed.get('pushed', 0)}条），"
        f"新商机{leads['logged']}条，成交{leads['won']}单。"
    )
    lines.append("发“任务”查看并处理，加油～")
    return "\n".join(lines)


async def _losses(services: Services, store_id: int, on: date) -> list[str]:
    from bot.scrm.losses import digest_lines

    return await digest_lines(services, store_id, on)


async def send_digests(services: Services, on: date, *, dry_run: bool = False) -> list[Digest]:
    """Queue (unless ``dry_run``) the digest of ``on`` for every active guide; a second run
    the same day queues nothing new. Returns what was built."""
    out: list[Digest] = []
    ids: list[int] = []
    async with services.db.session() as s:
        userids = await tasks_repo.guide_userids(s)
        userids += await handover_repo.managers(s)  # store managers: also lost contacts
    for userid in userids:
        guide = await who(services, userid)
        if guide is None:
            continue
        if guide.role == "manager" and not await _losses(services, guide.store_id, on):
            continue  # a manager's digest only when the store lost customers in WeCom
        text = await build(services, guide, on)
        d = Digest(guide.userid, guide.name, text)
        if not dry_run:
            async with services.db.transaction() as s:
                row = await outbox_repo.enqueue(
                    s,
                    channel="work_app",
                    recipient=guide.userid,
                    text=text,
                    kind="notice",
                    rule="guide_digest",
                    idem_key=f"digest:{guide.userid}:{on.isoformat()}",
                )
            if row is not None:
                d.row_id = row.id
                ids.append(row.id)
        out.append(d)
    if ids:
        try:
            from bot.outbox import deliver_soon

            await deliver_soon(services, ids)
        except Exception:  # noqa: BLE001 - left pending for the dispatcher's next tick
            log.warning("work: digests left for the dispatcher", exc_info=True)
    log.info("work: %d digests for %s", len(ids), on)
    return out
