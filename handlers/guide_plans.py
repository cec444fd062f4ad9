"""Guides: 「收款 13900210003」 (or 「延保收款 …」) marks the customer's offered 延保/全保 paid:
each becomes active, the device's cover is extended and the customer told
(``handlers.store_actions`` subject ``warranty``, ``handlers.follow_through``)."""

from __future__ import annotations

from sqlalchemy import select

from bot.context import Services
from bot.work.staff import Who
from bot.work.staff_router import StaffRouter
from handlers import store_actions
from handlers.follow_through import PLAN_LABELS
from handlers.money import yuan
from storage.models import Entitlement
from storage.repos import customers


async def paid(services: Services, staff: Who, phone: str) -> str:
    async with services.db.transaction() as s:
        customer = await customers.by_phone(s, phone)
        if customer is None or (customer.store_id and customer.store_id != staff.store_id):
            return f"没找到本店手机号为{phone}的顾客，请核对。"
        offered = list(
            await s.scalars(
                select(Entitlement)
                .where(Entitlement.customer_id == customer.id, Entitlement.status == "offered")
                .order_by(Entitlement.id)
            )
        )
        if not offered:
            return f"{customer.name or phone}没有待收款的延保/全保。"
        for row in offered:
            await store_actions.move(services, s, "warranty", row, "active", f"work:{staff.userid}")
    lines = [
        f"· {PLAN_LABELS.get(r.kind, r.kind)} {yuan(r.price_fen)}，保障至 {r.valid_until}"
        for r in offered
    ]
    return "已确认收款，已生效并通知顾客：\n" + "\n".join(lines)


staff_router = StaffRouter("plans")
staff_router.command(
    "plan_paid", help="· 收款 13900210003 —— 顾客的延保/全保已付款，生效并通知顾客"
)(paid)
