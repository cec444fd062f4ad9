"""Service tickets: list by status, one ticket with its events, and changing its status.

A status change goes through ``handlers.ticket_updates.move_ticket`` so the customer is
told exactly as when an engineer changes it from WeCom (and asked for a rating when done).
"""

from __future__ import annotations

import logging

from aiohttp import web

from bot.web.common import ADMIN, path_id, services_of
from bot.web.render import page
from storage.repos import admin_customers, admin_tickets

log = logging.getLogger(__name__)
DEFAULT_STATUSES = ("assigned", "on_the_way", "arrived", "done", "cancelled")


def statuses() -> tuple[str, ...]:
    try:
        from handlers import ticket_updates
    except ImportError:
        return DEFAULT_STATUSES
    return tuple(getattr(ticket_updates, "STATUSES", DEFAULT_STATUSES))


async def index(request: web.Request) -> web.Response:
    services = services_of(request)
    filters = ("open", *statuses())
    status = request.query.get("status") or ""
    if status not in filters:
        status = ""
    async with services.db.session() as s:
        found = await admin_tickets.listing(s, status or None)
        counts = await admin_tickets.counts(s)
    return page(
        request,
        "admin/tickets.html",
        {"rows": found, "status": status, "statuses": filters, "counts": counts},
    )


async def detail(request: web.Request) -> web.Response:
    services = services_of(request)
    async with services.db.session() as s:
        ticket = await admin_tickets.get(s, path_id(request))
        if ticket is None:
            raise web.HTTPNotFound(text="没有这张工单")
        f = await admin_customers.file(s, ticket.customer_id, recent=10)
        rating = await admin_tickets.rating(s, ticket.id)
        engineer = await admin_tickets.engineer(s, ticket.engineer_id)
    return page(
        request,
        "admin/ticket.html",
        {
            "t": ticket,
            "f": f,
            "rating": rating,
            "engineer": engineer,
            "statuses": statuses(),
            "notice": request.query.get("notice"),
        },
    )


async def change_status(request: web.Request) -> web.Response:
    services = services_of(request)
    ticket_id = path_id(request)
    form = await request.post()
    status = str(form.get("status") or "")
    if status not in statuses():
        raise web.HTTPBadRequest(text="未知的状态")
    try:
        from handlers.ticket_updates import move_ticket
    except ImportError:
        raise web.HTTPServiceUnavailable(text="工单状态变更尚不可用") from None
    actor = f"admin:{request[ADMIN]['user']}"
    async with services.db.transaction() as s:
        ticket = await admin_tickets.get(s, ticket_id)
        if ticket is None:
            raise web.HTTPNotFound(text="没有这张工单")
        before = await admin_tickets.last_outbox_id(s)
        await move_ticket(services, s, ticket, status, actor)
        await s.flush()
        ids = await admin_tickets.pending_after(s, ticket.customer_id, before)
    if ids:  # tell the customer now rather than at the scheduler's next round
        try:
            from bot.outbox import deliver_soon

            await deliver_soon(services, ids)
        except Exception:  # noqa: BLE001 - the scheduler sends them anyway
            log.exception("admin: could not send ticket %s notices at once", ticket_id)
    log.info("admin: ticket %s → %s by %s", ticket_id, status, actor)
    return web.Response(
        status=303, headers={"Location": f"/admin/tickets/{ticket_id}?notice=moved"}
    )
