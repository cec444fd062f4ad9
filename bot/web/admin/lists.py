"""Trade-ins, consumable orders and sales leads: read-only lists."""

from __future__ import annotations

from aiohttp import web

from bot.web.common import services_of
from bot.web.render import page
from storage.repos import admin_lists


async def trade_ins(request: web.Request) -> web.Response:
    async with services_of(request).db.session() as s:
        found = await admin_lists.trade_ins(s)
    return page(request, "admin/trade_ins.html", {"rows": found})


async def orders(request: web.Request) -> web.Response:
    async with services_of(request).db.session() as s:
        found = await admin_lists.orders(s)
    return page(request, "admin/orders.html", {"rows": found})


async def leads(request: web.Request) -> web.Response:
    async with services_of(request).db.session() as s:
        found = await admin_lists.leads(s)
    return page(request, "admin/leads.html", {"rows": found})
