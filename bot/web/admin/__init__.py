"""``/admin``: the operators' console. Every route but the login form needs a session."""

from __future__ import annotations

from aiohttp import web

from bot.context import Services
from bot.web.admin.session import AUTH, guard
from bot.web.auth import AdminAuth


def setup(app: web.Application, services: Services) -> None:
    from bot.web.admin import care, charts, customers, lists, outbox, session, tickets

    app[AUTH] = AdminAuth.from_services(services)
    app[care.CACHE] = {}
    app.middlewares.append(guard)
    r = app.router
    r.add_get("/admin", charts.dashboard)
    r.add_get("/admin/", charts.dashboard)
    r.add_get("/admin/login", session.login_form)
    r.add_post("/admin/login", session.login)
    r.add_post("/admin/logout", session.logout)
    r.add_get("/admin/customers", customers.index)
    r.add_get("/admin/customers/{id:\\d+}", customers.detail)
    r.add_get("/admin/tickets", tickets.index)
    r.add_get("/admin/tickets/{id:\\d+}", tickets.detail)
    r.add_post("/admin/tickets/{id:\\d+}/status", tickets.change_status)
    r.add_get("/admin/trade-ins", lists.trade_ins)
    r.add_get("/admin/orders", lists.orders)
    r.add_get("/admin/leads", lists.leads)
    r.add_get("/admin/outbox", outbox.index)
    r.add_post("/admin/outbox/{id:\\d+}/retry", outbox.retry)
    r.add_get("/admin/care", care.calendar)
    from bot.web.admin import scrm

    r.add_get("/admin/scrm", scrm.index)
    r.add_post("/admin/scrm/campaigns", scrm.create_campaign)
    r.add_post("/admin/scrm/campaigns/{id:\\d+}/run", scrm.run_campaign)
    r.add_post("/admin/customers/{id:\\d+}/tags", scrm.edit_customer_tags)
