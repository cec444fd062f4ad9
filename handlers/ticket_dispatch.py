"""The store dispatches a visit: assign or change the engineer (师傅), move the visit window,
cancel with a reason. Each change is a ticket event with who made it; the customer hears it
through the outbox (mp_kf, kind "service") and the engineer in WeCom (work_app).

The admin's ticket page calls these; the caller commits.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Services
from handlers.common import notify_colleague
from handlers.common import tell_customer as _tell_customer
from handlers.ticket_updates import engineer_title, move_ticket
from storage.models import ServiceTicket, Staff
from storage.repos import tickets

FINISHED = ("done", "cancelled")


class DispatchError(ValueError):
    """A change the ticket cannot take; the message is shown to the manager as it is."""


def window_text(start: datetime | None, end: datetime | None, tz: tzinfo) -> str:
    if start is None:
        return "待定"
    s = start.astimezone(tz)
    if end is None:
        return f"{s.month}月{s.day}日 {s:%H:%M}"
    return f"{s.month}月{s.day}日 {s:%H:%M}-{end.astimezone(tz):%H:%M}"


def is_overdue(ticket: ServiceTicket, now: datetime) -> bool:
    """The visit window has passed and the ticket is neither done nor cancelled."""
    end = ticket.window_end or ticket.window_start
    return ticket.status not in FINISHED and end is not None and _aware(end) < now


def _aware(t: datetime) -> datetime:
    from datetime import UTC

    return t if t.tzinfo else t.replace(tzinfo=UTC)


async def _tell_engineer(
    db: AsyncSession, person: Staff, ticket: ServiceTicket, text: str, key: str
) -> None:
    if person.wecom_userid:
        await notify_colleague(
            db,
            person.wecom_userid,
            text,
            customer_id=ticket.customer_id,
            idem_key=f"dispatch:{ticket.id}:{key}",
        )


def _job(ticket: ServiceTicket, tz: tzinfo) -> str:
    what = " ".join(x for x in (ticket.brand, ticket.category, ticket.symptom) if x) or "上门服务"
    return (
        f"{ticket.number} {what}\n时间：{window_text(ticket.window_start, ticket.window_end, tz)}"
        f"\n地址：{ticket.address or '—'}\n电话：{ticket.phone or '—'}"
    )


def _open(ticket: ServiceTicket) -> None:
    if ticket.status in FINISHED:
        raise DispatchError("这张工单已经结束，不能再改。")


async def assign_engineer(
    services: Services, db: AsyncSession, ticket: ServiceTicket, engineer: Staff, actor: str
) -> None:
    """Give the visit to ``engineer`` (first time, or instead of another)."""
    _open(ticket)
    if engineer.role != "engineer" or not engineer.active:
        raise DispatchError("只能派给在职的师傅。")
    if ticket.store_id is not None and engineer.store_id not in (None, ticket.store_id):
        raise DispatchError("只能派给本店的师傅。")
    if ticket.engineer_id == engineer.id:
        raise DispatchError(f"这张工单已经是{engineer_title(engineer.name)}了。")
    tz = services.settings.tz
    title = engineer_title(engineer.name)
    before = await db.get(Staff, ticket.engineer_id) if ticket.engineer_id else None
    ticket.engineer_id = engineer.id
    n = len(await tickets.events(db, ticket.id))
    if ticket.status == "open":
        await move_ticket(services, db, ticket, "assigned", actor, note=f"派给{title}")
    else:
        note = f"改派给{title}"
        await tickets.add_event(
            db, ticket, ticket.status, now=services.clock.now(), actor=actor, note=note
        )
        await _tell_customer(
            db,
            ticket.customer_id,
            f"您的服务单 {ticket.number} 改由{title}上门，时间不变："
            f"{window_text(ticket.window_start, ticket.window_end, tz)}。",
            idem_key=f"dispatch:{ticket.id}:customer-engineer:{n}",
        )
    await _tell_engineer(db, engineer, ticket, f"【新派单】{_job(ticket, tz)}", f"assign:{n}")
    if before is not None:
        await _tell_engineer(
            db,
            before,
            ticket,
            f"【改派】{ticket.number} 已改派给其他师傅，不用去了。",
            f"unassign:{n}",
        )


async def reschedule(
    services: Services,
    db: AsyncSession,
    ticket: ServiceTicket,
    start: datetime,
    end: datetime,
    actor: str,
    *,
    tell_customer: bool = True,
) -> None:
    """Move the visit window; the customer is told and asked to say if it does not suit
    (unless they asked for it themselves: ``tell_customer=False``, the chat answers)."""
    _open(ticket)
    now = services.clock.now()
    if end <= start:
        raise DispatchError("结束时间要晚于开始时间。")
    if start < now:
        raise DispatchError("新的上门时间已经过去了，请换一个。")
    tz = services.settings.tz
    old = window_text(ticket.window_start, ticket.window_end, tz)
    ticket.window_start, ticket.window_end = start, end
    new = window_text(start, end, tz)
    n = len(await tickets.events(db, ticket.id))
    await tickets.add_event(
        db, ticket, ticket.status, now=now, actor=actor, note=f"改期：{old} → {new}"
    )
    if tell_customer:
        await _tell_customer(
            db,
            ticket.customer_id,
            f"店里把您的服务单 {ticket.number} 的上门时间调整为 {new}（原 {old}）。"
            "方便的话回复“可以”；不方便请直接告诉我您合适的时间。",
            idem_key=f"dispatch:{ticket.id}:customer-window:{n}",
        )
    if ticket.engineer_id and (person := await db.get(Staff, ticket.engineer_id)):
        await _tell_engineer(
            db,
            person,
            ticket,
            f"【改期】{ticket.number} 上门时间改为 {new}（原 {old}）",
            f"window:{n}",
        )


async def cancel(
    services: Services,
    db: AsyncSession,
    ticket: ServiceTicket,
    reason: str,
    actor: str,
    *,
    tell_customer: bool = True,
) -> None:
    """Cancel the visit with a reason the customer and the engineer both read (the customer
    is not messaged when they cancelled it themselves: ``tell_customer=False``)."""
    _open(ticket)
    reason = reason.strip()[:100]
    if not reason:
        raise DispatchError("请写上取消的原因。")
    n = len(await tickets.events(db, ticket.id))
    if tell_customer:
        await move_ticket(
            services, db, ticket, "cancelled", actor, note=f"取消原因：{reason}", reason=reason
        )
    else:
        await tickets.add_event(
            db, ticket, "cancelled", now=services.clock.now(), actor=actor, note=reason
        )
    if ticket.engineer_id and (person := await db.get(Staff, ticket.engineer_id)):
        await _tell_engineer(
            db, person, ticket, f"【取消】{ticket.number} 已取消：{reason}", f"cancel:{n}"
        )
