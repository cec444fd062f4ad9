"""Ticket status (进度查询): the customer's open service tickets, trade-ins and orders."""

from __future__ import annotations

from datetime import tzinfo

from bot.dialog import extractors as ex
from bot.dialog.forms import Turn
from bot.dialog.router import Router
from handlers.money import yuan
from storage.models import ConsumableOrder, ServiceTicket, TradeInRequest
from storage.repos import orders, tickets, trade_ins

TICKET_KIND = {"repair": "维修", "install": "安装", "cleaning": "清洗", "trade_in": "以旧换新上门"}
TICKET_STATUS = {
    "open": "已受理，正在安排师傅",
    "assigned": "已派师傅",
    "on_the_way": "师傅在路上",
    "arrived": "师傅已上门",
    "done": "已完成",
    "cancelled": "已取消",
}
TRADE_IN_STATUS = {
    "applied": "已提交，导购会联系您约上门",
    "contacted": "导购已联系您，正在约上门时间",
    "scheduled": "已约好上门时间",
    "done": "已完成",
    "cancelled": "已取消",
    "rejected": "未通过",
}
ORDER_STATUS = {
    "placed": "已下单，准备发货",
    "paid": "已付款，准备发货",
    "shipped": "已发货",
    "done": "已完成",
    "cancelled": "已取消",
}
NOTHING = "您目前没有进行中的维修、以旧换新或订单～需要报修、换新或买滤芯，直接告诉我就行。"


def ticket_line(t: ServiceTicket, tz: tzinfo) -> str:
    what = " ".join(x for x in (t.brand, t.category) if x)
    state = TICKET_STATUS.get(t.status, t.status)
    when = ""
    if t.window_start and t.window_end and t.status not in ("done", "cancelled"):
        when = "，" + ex.show_window(
            {"start": t.window_start.isoformat(), "end": t.window_end.isoformat()}, tz
        )
    return f"· {TICKET_KIND.get(t.kind, t.kind)} {t.number}（{what}）：{state}{when}"


def trade_in_line(r: TradeInRequest, visit: ServiceTicket | None) -> str:
    state = TRADE_IN_STATUS.get(r.status, r.status)
    if visit is not None and r.status == "applied" and visit.status != "open":
        state = TICKET_STATUS.get(visit.status, visit.status)
    return (
        f"· 以旧换新 {r.number}（旧{r.old_category}→{r.new_model or r.new_category}）："
        f"{state}，应付{yuan(r.pay_fen)}"
    )


def order_line(o: ConsumableOrder) -> str:
    items = "、".join(f"{i['name']}×{i['qty']}" for i in o.items or [])
    fit = "，含上门安装" if o.with_install else ""
    supply = bool(o.items) and all(i.get("stage") == "supply" for i in o.items)
    what = "补货订单" if supply else "滤芯订单"
    state = ORDER_STATUS.get(o.status, o.status)
    return f"· {what} {o.number}（{items}{fit}）：{state}，{yuan(o.total_fen)}"


async def respond(turn: Turn) -> str:
    cid = turn.person.id
    known = await tickets.open_first(turn.db, cid)  # one statement: open ones, then the latest
    open_tickets = [
        t
        for t in known
        if t.status in tickets.OPEN_STATUSES
        and t.kind != "trade_in"  # a trade-in's visit shows with its request
    ]
    requests = await trade_ins.for_customer(turn.db, cid, open_only=True)
    open_orders = await orders.for_customer(turn.db, cid, open_only=True)
    # the tickets hold the trade-in visits, and the latest one when nothing is open
    recent = sorted(known, key=lambda t: t.id, reverse=True)
    visits = {t.id: t for t in recent if t.kind == "trade_in"}
    lines = [ticket_line(t, turn.tz) for t in open_tickets]
    lines += [trade_in_line(r, visits.get(r.ticket_id)) for r in requests]
    lines += [order_line(o) for o in open_orders]
    if not lines:
        latest = recent[0] if recent else None
        if latest is not None:
            return f"{NOTHING}\n最近一次：{ticket_line(latest, turn.tz).lstrip('· ')}"
        return NOTHING
    return "您的进度：\n" + "\n".join(lines)


router = Router("status")
router.responder("ticket_status", label="查进度", menu=(4, "查进度"), consequence="harmless")(
    respond
)
