"""What a finished step sets in motion elsewhere:

- a trade-in's visit ticket done → the trade-in is done, and the customer is thanked with the
  subsidy and the trade-in value applied (called by ``handlers.ticket_updates.move_ticket``);
- an extended warranty or full cover is recorded as *offered* when the customer chooses it
  and becomes *active* (the device's cover extended) only when the store marks it paid
  (``handlers.store_actions`` subject ``warranty``).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Services
from handlers.common import tell_customer
from handlers.money import yuan
from storage.models import Device, Entitlement, ServiceTicket, TradeInRequest
from storage.repos import audit

PLAN_LABELS = {"extended_warranty": "延保", "full_cover": "全保"}


def trade_in_thanks(row: TradeInRequest) -> str:
    applied = f"旧机抵扣{yuan(row.old_value_fen)}" + (
        f"、政府补贴{yuan(row.subsidy_fen)}" if row.subsidy_fen else ""
    )
    return (
        f"以旧换新 {row.number} 完成啦！新{row.new_category or '家电'}已装好，"
        f"{applied}已为您抵扣，实付{yuan(row.pay_fen)}。感谢您的支持，用得开心～"
    )


async def trade_in_visit_done(
    services: Services, db: AsyncSession, ticket: ServiceTicket, actor: str
) -> TradeInRequest | None:
    """The trade-in whose visit ``ticket`` is: moved to done and the customer thanked."""
    row = await db.scalar(select(TradeInRequest).where(TradeInRequest.ticket_id == ticket.id))
    if row is None or row.status in ("done", "cancelled", "rejected"):
        return None
    before, row.status = row.status, "done"
    await audit.record(
        db,
        actor=actor,
        subject="trade_in",
        subject_id=row.id,
        customer_id=row.customer_id,
        action="status",
        before=before,
        after="done",
        note=f"上门单 {ticket.number} 已完成",
        now=services.clock.now(),
    )
    await tell_customer(
        db, row.customer_id, trade_in_thanks(row), idem_key=f"trade-in-done:{row.id}"
    )
    return row


async def warranty_paid(services: Services, db: AsyncSession, row: Entitlement) -> None:
    """An offered plan paid: the device's cover is extended and the customer told."""
    device = await db.get(Device, row.device_id) if row.device_id else None
    if device is not None and row.valid_until is not None:
        if device.extended_until is None or device.extended_until < row.valid_until:
            device.extended_until = row.valid_until
    label = PLAN_LABELS.get(row.kind, "服务")
    until = f"，保障到 {row.valid_until.isoformat()}" if row.valid_until else ""
    await tell_customer(
        db,
        row.customer_id,
        f"收到您的付款{yuan(row.price_fen)}，{label}已生效{until}。有问题随时找我～",
        idem_key=f"plan-active:{row.id}",
    )
