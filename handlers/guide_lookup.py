"""Guides: 查 13900210001 / 查 张伟 — a customer card, only for the guide's own store."""

from __future__ import annotations

import logging
import re
from datetime import date

from bot import vocabulary
from bot.context import Services
from bot.work.staff import Who
from bot.work.staff_router import StaffRouter
from bot.work.util import local_day, mask_phone
from storage.models import Customer, Device, Staff
from storage.repos import customers as customers_repo
from storage.repos import devices as devices_repo
from storage.repos import identities, optouts
from storage.repos import tags as tags_repo
from storage.repos import tickets as tickets_repo

log = logging.getLogger(__name__)

STATUS = vocabulary.TICKET_STATUS
KIND = vocabulary.TICKET_KINDS
OPT = vocabulary.OPTOUT_KINDS
NOT_OURS = "这位顾客不在{store}名下，按规定不能查看哦。如需协助请联系店长。"


def _clean(term: str) -> str:
    return re.sub(r"[.。…\s-]+$", "", term.strip()).replace(" ", "")


def _warranty_end(d: Device) -> date | None:
    start = d.purchase_date or d.install_date
    if start is None:
        return d.extended_until
    months = start.month - 1 + (d.warranty_months or 0)
    year, month = start.year + months // 12, months % 12 + 1
    try:
        end = start.replace(year=year, month=month)
    except ValueError:
        end = start.replace(year=year, month=month, day=28)
    if d.extended_until and d.extended_until > end:
        return d.extended_until
    return end


async def lookup(services: Services, staff: Who, term: str) -> str:
    term = re.sub(r"^(?:手机)?(?:尾号|后四位|后4位)\s*", "", _clean(term))
    if not term:
        return "查谁呢？例如：查 13900210001 或 查 张伟"
    if term.isdigit() and len(term) < 3:
        return "手机号至少输入前3位哦，例如：查 139002"
    async with services.db.session() as s:
        customer = await store_customer(s, staff, term)
        if isinstance(customer, str):
            return customer
        return await _card(services, s, customer)


async def store_customer(
    s,
    staff: Who,
    term: str,
    *,
    doing: str = "asked for",
    more: str = "请说得更具体些",
    refusal: str = NOT_OURS,
) -> Customer | str:
    """The one customer of the staff member's store meant by ``term`` (phone, its start, or
    name), or the reply to send: not found, another store's (refused), or several to tell
    apart (``more`` says how). ``doing`` names the attempt in the log."""
    found = await customers_repo.search(s, term, None, limit=20)
    ours = [c for c in found if c.store_id == staff.store_id]
    if not ours:
        if found:
            log.info("work: %s %s a customer of another store; refused", staff.userid, doing)
            return refusal.format(store=staff.store_name or "本店")
        return f"没找到“{term}”，换个手机号或姓名试试？"
    exact = [c for c in ours if c.phone == term or c.name == term]
    if len(ours) > 1 and len(exact) != 1:
        lines = [f"找到{len(ours)}位顾客，{more}："]
        lines += [f"· {c.name or '未留名'} {mask_phone(c.phone)}" for c in ours[:5]]
        return "\n".join(lines)
    return exact[0] if exact else ours[0]


async def _card(services: Services, s, c: Customer) -> str:
    lines = [f"{c.name or '未留名'} {c.phone or ''}".strip()]
    if c.address:
        lines.append(f"地址：{c.address}")
    if c.guide_id:
        guide = await s.get(Staff, c.guide_id)
        if guide is not None:
            lines.append(f"专属导购：{guide.name}")
    devices = await devices_repo.for_customer(s, c.id)
    if devices:
        lines.append("设备：")
        today = services.clock.local_now().date()
        for d in devices[:5]:
            end = _warranty_end(d)
            state = ""
            if end is not None:
                state = f"（保修至{end:%Y-%m-%d}）" if end >= today else "（已过保）"
            lines.append(f"· {d.category} {d.brand or ''} {d.model or ''}".rstrip() + state)
    else:
        lines.append("设备：暂无登记")
    tickets = await tickets_repo.for_customer(s, c.id, limit=3)
    if tickets:
        lines.append("工单：")
        for t in tickets:
            lines.append(
                f"· {t.number} {KIND.get(t.kind, t.kind)} {STATUS.get(t.status, t.status)}"
                f"（{local_day(services, t.created_at)}）"
            )
    last = c.last_inbound_at
    lines.append(f"最近联系：{local_day(services, last) if last else '暂无'}")
    held = await tags_repo.for_customer(s, c.id)
    if held:
        lines.append("标签：" + "、".join(name for name, _ in held))
    off = await optouts.kinds(s, c.id)
    if off:
        lines.append("已退订：" + "、".join(OPT.get(k, k) for k in sorted(off)))
    if not c.followed:
        lines.append("已取消关注公众号")
    work_ids = [i for i in await identities.for_customer(s, c.id, "work") if i.active]
    if work_ids:
        lines.append("企业微信：已添加")
    return "\n".join(lines)


staff_router = StaffRouter("lookup")
staff_router.command("lookup", help="· 查 13900210001 / 查 张伟 —— 顾客档案")(lookup)
