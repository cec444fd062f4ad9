"""Guides: 商机 张伟 想换冰箱 预算5000 (a sales lead for the store) and its pipeline:
new → contacted → won | lost (商机 2 联系 / 商机 2 成交 / 商机 2 丢单); 商机 lists the open ones."""

from __future__ import annotations

import re

from bot import vocabulary
from bot.context import Services
from bot.work.staff import Who
from bot.work.staff_router import StaffRouter
from bot.work.util import yuan
from storage.repos import customers as customers_repo
from storage.repos import leads as leads_repo

STATUS = vocabulary.LEAD_STATUS
ORDER = ("new", "contacted", "won", "lost")


async def new_lead(
    services: Services, staff: Who, who: str, interest: str, budget_fen: int | None
) -> str:
    now = services.clock.now()
    async with services.db.transaction() as s:
        customer_id = None
        name: str | None = who
        term = re.sub(r"\D", "", who) if re.fullmatch(r"[\d\s-]{7,}", who) else who
        matches = [c for c in await customers_repo.search(s, term, staff.store_id, limit=3)]
        exact = [c for c in matches if c.phone == term or c.name == term]
        if len(exact) == 1:
            customer_id, name = exact[0].id, exact[0].name or who
        lead = await leads_repo.create(
            s,
            store_id=staff.store_id,
            guide_id=staff.id,
            customer_id=customer_id,
            customer_name=name,
            interest=interest,
            budget_fen=budget_fen,
            now=now,
        )
        lead_id = lead.id
    budget = f"，预算{yuan(budget_fen)}" if budget_fen else ""
    known = "（已关联顾客档案）" if customer_id else ""
    return (
        f"已记下商机#{lead_id}：{name}{known} {interest}{budget}。\n"
        f"联系后回复“商机 {lead_id} 联系”，成交回复“商机 {lead_id} 成交”。"
    )


async def incomplete(who: str) -> str:
    """商机 张三 with nothing about what they want."""
    return f"{who}对什么感兴趣呢？例如：商机 {who} 想换冰箱 预算5000"


async def list_leads(services: Services, staff: Who) -> str:
    async with services.db.session() as s:
        rows = await leads_repo.open_for_store(s, staff.store_id)
    if not rows:
        return "本店暂时没有跟进中的商机。记一条：商机 张伟 想换冰箱 预算5000"
    lines = [f"本店跟进中的商机（{len(rows)}）："]
    for r in rows:
        budget = f" 预算{yuan(r.budget_fen)}" if r.budget_fen else ""
        lines.append(
            f"#{r.id} {r.customer_name or '顾客'} {r.interest}{budget}｜{STATUS[r.status]}"
        )
    return "\n".join(lines)


async def move_lead(services: Services, staff: Who, id: int, status: str) -> str:
    async with services.db.transaction() as s:
        lead = await leads_repo.get_in_store(s, id, staff.store_id)
        if lead is None:
            return f"本店没有商机#{id}，发“商机”看看列表。"
        if lead.status in ("won", "lost"):
            return f"商机#{id}已经{STATUS[lead.status]}，不能再改了。"
        if lead.status == status:
            return f"商机#{id}已经是“{STATUS[status]}”了。"
        if status == "contacted" and ORDER.index(lead.status) > ORDER.index(status):
            return f"商机#{id}已经是“{STATUS[lead.status]}”了。"
        await leads_repo.set_status(s, lead, status, services.clock.now())
    cheer = {"won": "恭喜成交！🎉", "lost": "没关系，下次加油。", "contacted": "好的。"}[status]
    return f"{cheer}商机#{id}：{STATUS[status]}。"


staff_router = StaffRouter("leads")
staff_router.command("lead_new", help="· 商机 张伟 想换冰箱 预算5000 —— 记一条销售机会")(new_lead)
staff_router.command("lead_list", help="· 商机 —— 本店跟进中的商机；商机 2 成交 / 商机 2 丢单")(
    list_leads
)
staff_router.command("lead_move")(move_lead)


@staff_router.command("lead_incomplete")
async def _incomplete(services: Services, staff: Who, who: str) -> str:
    return await incomplete(who)
