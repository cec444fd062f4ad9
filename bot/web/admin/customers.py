"""Customers: a searchable list, and one customer's devices and history."""

from __future__ import annotations

from aiohttp import web

from bot import vocabulary
from bot.web.common import ADMIN, paging_param, path_id, services_of, store_scope
from bot.web.render import page
from storage.repos import admin_customers, audit, optouts

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
    async with services.db.session() as s:
        off = await optouts.kinds(s, f.customer.id)
    today = services.clock.local_now().date()
    from bot.web.admin.scrm import customer_tags

    tags = await customer_tags(services, f.customer.id)
    context = {
        "f": f,
        "today": today,
        "changes": changes,
        "tags": tags,
        "optouts": off,
        "optout_kinds": list(vocabulary.OPTOUT_KINDS.items()),
    }
    return page(request, "admin/customer.html", context)


async def set_optout(request: web.Request) -> web.Response:
    """Switch one kind of care message off (or back on) for a customer, by hand: recorded
    with who and when, shown under 操作记录."""
    services = services_of(request)
    cid = path_id(request)
    form = await request.post()
    kind = str(form.get("kind") or "")
    if kind not in vocabulary.OPTOUT_KINDS:
        raise web.HTTPBadRequest(text="未知的关怀类别")
    on = str(form.get("on") or "") == "1"
    now = services.clock.now()
    scope = store_scope(request)
    async with services.db.transaction() as s:
        customer = await admin_customers.in_scope(s, cid, scope)
        if customer is None:
            raise web.HTTPNotFound(text="没有这位客户")
        changed = (
            await optouts.remove(s, cid, kind) > 0 if on else await optouts.add(s, cid, kind, now)
        )
        if changed:
            label = vocabulary.OPTOUT_KINDS[kind]
            await audit.record(
                s,
                actor=f"admin:{request[ADMIN]['user']}",
                subject="customer",
                subject_id=cid,
                customer_id=cid,
                action="optin" if on else "optout",
                now=now,
                note=f"{'重新开启' if on else '关闭'}{label}",
            )
    return web.Response(status=303, headers={"Location": f"/admin/customers/{cid}"})
