"""The next step a store takes on a trade-in, a consumables order or a sales lead, from the
admin: the allowed moves, the customer told where it matters, and an audit entry each time.

Moves (anything else is refused):

- trade-in: 已申请 → 已联系 (the call is done) → 已约上门 → 已完成; cancel until done
- order: 已下单 → 已付款 → 已发货 → 已完成; cancel until shipped
- lead: 新建 → 已联系 → 已成交 | 已丢单
- warranty (延保/全保): 待付款 → 已生效 (paid: the device's cover extended) | 已取消
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from bot import vocabulary
from bot.context import Services
from handlers.common import tell_customer
from storage.models import ConsumableOrder, Entitlement, SalesLead, TradeInRequest
from storage.repos import audit

NEXT: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "trade_in": {
        "applied": ("contacted", "scheduled", "cancelled"),
        "contacted": ("scheduled", "cancelled"),
        "scheduled": ("done", "cancelled"),
    },
    "order": {
        "placed": ("paid", "shipped", "cancelled"),
        "paid": ("shipped", "cancelled"),
        "shipped": ("done",),
    },
    "lead": {
        "new": ("contacted", "won", "lost"),
        "contacted": ("won", "lost"),
    },
    "warranty": {"offered": ("active", "cancelled")},  # 延保/全保: active once paid
}
LABELS: Mapping[str, Mapping[str, str]] = {
    "trade_in": vocabulary.TRADE_IN_STATUS,
    "order": vocabulary.ORDER_STATUS,
    "lead": vocabulary.LEAD_STATUS,
    "warranty": vocabulary.PLAN_STATUS,
}
Row = TradeInRequest | ConsumableOrder | SalesLead | Entitlement


class NotAllowed(ValueError):
    """A move the row cannot take; the message is shown as it is."""


def next_steps(subject: str, status: str) -> list[tuple[str, str]]:
    """(status, label) pairs the row may move to, for the page's buttons."""
    labels = LABELS[subject]
    return [(s, labels.get(s, s)) for s in NEXT[subject].get(status, ())]


def _customer_text(subject: str, row: Row, status: str) -> str | None:
    if subject == "order" and status == "shipped":
        return f"您的订单 {row.number} 已发货，请留意快递电话～"
    if subject == "order" and status == "cancelled":
        return f"您的订单 {row.number} 已取消，如有疑问直接回复我就好。"
    if isinstance(row, TradeInRequest) and status == "cancelled":
        return f"您的以旧换新申请 {row.number} 已取消，想再换随时告诉我～"
    if isinstance(row, TradeInRequest) and status == "done":
        from handlers.follow_through import trade_in_thanks

        return trade_in_thanks(row)
    return None


async def move(
    services: Services, db: AsyncSession, subject: str, row: Row, status: str, actor: str
) -> None:
    """Move ``row`` (a ``subject``: trade_in, order or lead) to ``status`` inside ``db``."""
    labels = LABELS[subject]
    if status not in NEXT[subject].get(row.status, ()):
        now_label = labels.get(row.status, vocabulary.OTHER)
        raise NotAllowed(f"现在是“{now_label}”，不能改成“{labels.get(status, status)}”。")
    before, row.status = row.status, status
    now = services.clock.now()
    if isinstance(row, SalesLead):
        row.updated_at = now
    await audit.record(
        db,
        actor=actor,
        subject=subject,
        subject_id=row.id,
        customer_id=row.customer_id,
        action="status",
        before=before,
        after=status,
        now=now,
    )
    if isinstance(row, Entitlement) and status == "active":
        from handlers.follow_through import warranty_paid

        await warranty_paid(services, db, row)
    text = _customer_text(subject, row, status)
    if text and row.customer_id is not None:
        await tell_customer(
            db, row.customer_id, text, idem_key=f"store-action:{subject}:{row.id}:{status}"
        )
