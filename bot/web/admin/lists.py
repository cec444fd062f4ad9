"""Trade-ins, consumable orders and sales leads: the lists, each row with its next steps
(call done, visit booked, paid, shipped, won / lost) through ``handlers.store_actions``."""

from __future__ import annotations

import logging
from urllib.parse import quote

from aiohttp import web

from bot.web.common import ADMIN, path_id, services_of, store_scope
from bot.web.render import page
from handlers import store_actions
from storage.models import ConsumableOrder, SalesLead, TradeInRequest
from storage.repos import admin_lists, admin_tickets

log = logging.getLogger(__name__)
SUBJECTS = {
    "trade-ins": ("trade_in", TradeInRequest),
    "orders": ("order", ConsumableOrder),
    "leads": ("lead", SalesLead),
}


async def trade_ins(request: web.Request) -> web.Response:
    async with services_of(request).db.session() as s:
        found = await admin_lists.trade_ins(s, store_id=store_scope(request))
    return _list(request, "admin/trade_ins.html", found, "trade_in")


async def orders(request: web.Request) -> web.Response:
    async with services_of(request).db.session() as s:
        found = await admin_lists.orders(s, store_id=store_scope(request))
    return _list(request, "admin/orders.html", found, "order")


async def leads(request: web.Request) -> web.Response:
    async with services_of(request).db.session() as s:
        found = await admin_lists.leads(s, store_id=store_scope(request))
    return _list(request, "admin/leads.html", found, "lead")


def _list(request: web.Request, template: str, rows: list, subject: str) -> web.Response:
    steps = {row[0].id: store_actions.next_steps(subject, row[0].status) for row in rows}
    return page(
        request,
        template,
        {
            "rows": rows,
            "steps": steps,
            "notice": request.query.get("notice"),
            "problem": (request.query.get("problem") or "")[:100],
        },
    )


async def move(request: web.Request) -> web.Response:
    """POST /admin/{trade-ins|orders|leads}/{id}/status: one next step, by hand."""
    services = services_of(request)
    where = request.match_info["what"]
    subject, model = SUBJECTS[where]
    row_id = path_id(request)
    status = str((await request.post()).get("status") or "")
    actor = f"admin:{request[ADMIN]['user']}"
    try:
        async with services.db.transaction() as s:
            row = await s.get(model, row_id)
            if row is None or not await admin_lists.in_store(s, row, store_scope(request)):
                raise web.HTTPNotFound(text="没有这一条")
            before = await admin_tickets.last_outbox_id(s)
            await store_actions.move(services, s, subject, row, status, actor)
            await s.flush()
            ids = []
            if row.customer_id is not None:
                ids = await admin_tickets.pending_after(s, row.customer_id, before)
    except store_actions.NotAllowed as exc:
        return web.Response(
            status=303, headers={"Location": f"/admin/{where}?problem={quote(str(exc))}"}
        )
    if ids:
        try:
            from bot.outbox import deliver_soon

            await deliver_soon(services, ids)
        except Exception:  # noqa: BLE001 - the scheduler sends them anyway
            log.exception("admin: could not send the %s %s notice at once", subject, row_id)
    log.info("admin: %s %s → %s by %s", subject, row_id, status, actor)
    return web.Response(status=303, headers={"Location": f"/admin/{where}?notice=moved"})
