"""Service tickets: list by status (overdue visits flagged), one ticket with its events, and
dispatch: status, engineer, visit window, cancel with a reason.

A status change goes through ``handlers.ticket_updates.move_ticket`` so the customer is told
exactly as when an engineer changes it from WeCom (and asked for a rating when done); the
other changes through ``handlers.ticket_dispatch``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime, time
from typing import Any
from urllib.parse import quote

from aiohttp import web

from bot.web.common import ADMIN, path_id, services_of, store_scope
from bot.web.render import page
from handlers import ticket_dispatch, ticket_updates
from storage.models import ServiceTicket
from storage.repos import admin_customers, admin_tickets

log = logging.getLogger(__name__)


def statuses() -> tuple[str, ...]:
    return ticket_updates.STATUSES


async def index(request: web.Request) -> web.Response:
    services = services_of(request)
    filters = ("open", *statuses())
    status = request.query.get("status") or ""
    if status not in filters:
        status = ""
    async with services.db.session() as s:
        scope = store_scope(request)
        found = await admin_tickets.listing(s, status or None, store_id=scope)
        counts = await admin_tickets.counts(s, store_id=scope)
    now = services.clock.now()
    overdue = {t.id for t, _ in found if ticket_dispatch.is_overdue(t, now)}
    return page(
        request,
        "admin/tickets.html",
        {
            "rows": found,
            "status": status,
            "statuses": filters,
            "counts": counts,
            "overdue": overdue,
        },
    )


def _local(value: datetime | None, tz: Any, fmt: str) -> str:
    return value.astimezone(tz).strftime(fmt) if value else ""


async def detail(request: web.Request) -> web.Response:
    services = services_of(request)
    tz = services.settings.tz
    async with services.db.session() as s:
        ticket = await admin_tickets.get(s, path_id(request), store_scope(request))
        if ticket is None:
            raise web.HTTPNotFound(text="没有这张工单")
        f = await admin_customers.file(s, ticket.customer_id, recent=10)
        rating = await admin_tickets.rating(s, ticket.id)
        engineer = await admin_tickets.engineer(s, ticket.engineer_id)
        engineers = await admin_tickets.engineers(s, ticket.store_id)
    return page(
        request,
        "admin/ticket.html",
        {
            "t": ticket,
            "f": f,
            "rating": rating,
            "engineer": engineer,
            "engineers": engineers,
            "overdue": ticket_dispatch.is_overdue(ticket, services.clock.now()),
            "finished": ticket.status in ticket_dispatch.FINISHED,
            "window_day": _local(ticket.window_start, tz, "%Y-%m-%d"),
            "window_from": _local(ticket.window_start, tz, "%H:%M"),
            "window_to": _local(ticket.window_end, tz, "%H:%M"),
            "statuses": statuses(),
            "notice": request.query.get("notice"),
            "problem": (request.query.get("problem") or "")[:100],
        },
    )


async def change_status(request: web.Request) -> web.Response:
    form = await request.post()
    status = str(form.get("status") or "")
    if status not in statuses():
        raise web.HTTPBadRequest(text="未知的状态")
    from handlers.ticket_updates import move_ticket

    async def change(services, s, ticket, actor):
        await move_ticket(services, s, ticket, status, actor)

    return await _apply(request, change, "moved", f"status {status}")


async def assign(request: web.Request) -> web.Response:
    """Give the visit to an engineer of the store (or another one instead)."""
    form = await request.post()
    engineer_id = _int_or_400(form.get("engineer"))

    async def change(services, s, ticket, actor):
        person = await admin_tickets.engineer(s, engineer_id)
        if person is None:
            raise ticket_dispatch.DispatchError("没有这位师傅。")
        await ticket_dispatch.assign_engineer(services, s, ticket, person, actor)

    return await _apply(request, change, "assigned", f"engineer {engineer_id}")


async def reschedule(request: web.Request) -> web.Response:
    """Move the visit window: a day and a start and end time in the store's timezone."""
    form = await request.post()
    services = services_of(request)
    try:
        day = date.fromisoformat(str(form.get("day") or ""))
        start = time.fromisoformat(str(form.get("start") or ""))
        end = time.fromisoformat(str(form.get("end") or ""))
    except ValueError:
        raise web.HTTPBadRequest(text="请填写日期和时间，如 2026-12-05 09:00-11:00") from None
    tz = services.settings.tz
    start_at = datetime.combine(day, start, tzinfo=tz)
    end_at = datetime.combine(day, end, tzinfo=tz)

    async def change(services, s, ticket, actor):
        await ticket_dispatch.reschedule(services, s, ticket, start_at, end_at, actor)

    return await _apply(request, change, "rescheduled", f"window {start_at:%m-%d %H:%M}")


async def cancel(request: web.Request) -> web.Response:
    """Cancel the visit with a reason (the customer and the engineer are told it)."""
    form = await request.post()
    reason = str(form.get("reason") or "")

    async def change(services, s, ticket, actor):
        await ticket_dispatch.cancel(services, s, ticket, reason, actor)

    return await _apply(request, change, "cancelled", "cancel")


def _int_or_400(value: object) -> int:
    text = str(value or "")
    if not text.isdigit() or len(text) > 18:
        raise web.HTTPBadRequest(text="请选择一位师傅")
    return int(text)


Change = Callable[[Any, Any, ServiceTicket, str], Awaitable[None]]


async def _apply(request: web.Request, change: Change, notice: str, what: str) -> web.Response:
    """Run one change to the ticket in a transaction, send what it queued at once, and go
    back to the ticket page with a notice (or the reason it could not be done)."""
    services = services_of(request)
    ticket_id = path_id(request)
    actor = f"admin:{request[ADMIN]['user']}"
    try:
        async with services.db.transaction() as s:
            ticket = await admin_tickets.get(s, ticket_id, store_scope(request))
            if ticket is None:
                raise web.HTTPNotFound(text="没有这张工单")
            before = await admin_tickets.last_outbox_id(s)
            await change(services, s, ticket, actor)
            await s.flush()
            ids = await admin_tickets.pending_after(s, ticket.customer_id, before)
    except ticket_dispatch.DispatchError as exc:
        return web.Response(
            status=303,
            headers={"Location": f"/admin/tickets/{ticket_id}?problem={quote(str(exc))}"},
        )
    if ids:  # tell the customer and the engineer now rather than at the scheduler's next round
        try:
            from bot.outbox import deliver_soon

            await deliver_soon(services, ids)
        except Exception:  # noqa: BLE001 - the scheduler sends them anyway
            log.exception("admin: could not send ticket %s notices at once", ticket_id)
    log.info("admin: ticket %s %s by %s", ticket_id, what, actor)
    return web.Response(
        status=303, headers={"Location": f"/admin/tickets/{ticket_id}?notice={notice}"}
    )
