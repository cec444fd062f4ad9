"""Moving a ticket along: assigned → on_the_way → arrived → done (or cancelled).

Each move writes a ticket event and tells the customer (outbox mp_kf, kind "service"); done
also asks for a rating and sets the customer's dialog to expect one. The WeCom commands and
the admin pages call :func:`move_ticket`.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Services
from bot.dialog import sessions
from handlers import rental_ops
from handlers.common import tell_customer
from storage.models import ServiceTicket, Staff
from storage.repos import identities, tickets

STATUSES = ("assigned", "on_the_way", "arrived", "done", "cancelled")
RATING_WAIT_DAYS = 7


async def _engineer(db: AsyncSession, ticket: ServiceTicket) -> str:
    if ticket.engineer_id is None:
        return "师傅"
    person = await db.get(Staff, ticket.engineer_id)
    return engineer_title(person.name) if person else "师傅"


def engineer_title(name: str) -> str:
    """刘 → 刘师傅; 刘师傅 stays 刘师傅."""
    return name if name.endswith("师傅") else f"{name}师傅"


async def _message(
    db: AsyncSession, ticket: ServiceTicket, status: str, tz, reason: str | None = None
) -> str:
    who = await _engineer(db, ticket)
    when = ""
    if ticket.window_start and ticket.window_end:
        s, e = ticket.window_start.astimezone(tz), ticket.window_end.astimezone(tz)
        when = f"{s.month}月{s.day}日 {s:%H:%M}-{e:%H:%M}"
    n = ticket.number
    if status == "assigned":
        return f"您的服务单 {n} 已安排{who}，将在 {when} 上门，出发前会先联系您。"
    if status == "on_the_way":
        return f"{who}已出发，正在赶往您家（单号 {n}），请保持电话畅通～"
    if status == "arrived":
        return f"{who}已到达，开始为您服务（单号 {n}）。"
    if status == "done":
        return (
            f"服务单 {n} 已完成，辛苦您配合！\n"
            "请给这次服务打个分吧：回复1-5星（5星最满意），比如“5星”。"
        )
    why = f"（{reason}）" if reason else ""
    return f"您的服务单 {n} 已取消{why}。如需重新预约，直接跟我说就好～"


async def move_ticket(
    services: Services,
    session: AsyncSession,
    ticket: ServiceTicket,
    status: str,
    actor: str,
    note: str | None = None,
    reason: str | None = None,
) -> None:
    """Change ``ticket``'s status inside ``session`` (the caller commits). ``reason`` is told
    to the customer with a cancellation."""
    if status not in STATUSES:
        raise ValueError(f"unknown ticket status {status!r}")
    now = services.clock.now()
    await tickets.add_event(session, ticket, status, now=now, actor=actor, note=note)
    if await rental_ops.on_ticket_moved(services, session, ticket, status):
        return  # an internal rental visit (the inspection of a returned unit)
    text = await _message(session, ticket, status, services.settings.tz, reason)
    await tell_customer(
        session,
        ticket.customer_id,
        text,
        kind="service",
        idem_key=f"ticket:{ticket.id}:{status}:{len(await tickets.events(session, ticket.id))}",
    )
    if status == "done" and ticket.kind == "trade_in":  # the trade-in is done, thanks sent
        from handlers.follow_through import trade_in_visit_done

        await trade_in_visit_done(services, session, ticket, actor)
    if status == "done":
        openid = await identities.openid_of(session, ticket.customer_id)
        if openid is not None:
            hold = now + timedelta(days=RATING_WAIT_DAYS)
            await sessions.update(
                services,
                f"mp:{openid}",
                db=session,
                expect={"kind": "rating", "ticket_id": ticket.id},
                hold_until=hold.isoformat(),
            )
