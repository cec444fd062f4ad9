"""Customers: a searchable list, and one customer's devices and history."""

from __future__ import annotations

from aiohttp import web

from bot.web.common import paging_param, path_id, services_of, store_scope
from bot.web.render import page
from storage.repos import admin_customers, audit

PAGE = 50


async def index(request: web.Request) -> web.Response:
    services = services_of(request)
    q = (request.query.get("q") or "").strip()[:64]
    offset = paging_param(request, "offset")
    async with services.db.session() as s:
        found, total = await admin_customers.search(
            s, q or None, limit=PAGE, offset=offset, store_id=store_scope(request)
        )
    return page(
        request,
        "admin/customers.html",
        {"rows": found, "total": total, "q": q, "offset": offset, "page_size": PAGE},
    )


async def detail(request: web.Request) -> web.Response:
    services = services_of(request)
    async with services.db.session() as s:
        f = await admin_customers.file(s, path_id(request), store_id=store_scope(request))
        changes = await audit.for_customer(s, f.customer.id) if f else []
    if f is None:
        raise web.HTTPNotFound(text="没有这位客户")
    today = services.clock.local_now().date()
    from bot.web.admin.scrm import customer_tags

    tags = await customer_tags(services, f.customer.id)
    context = {"f": f, "today": today, "changes": changes, "tags": tags}
    return page(request, "admin/customer.html", context)
