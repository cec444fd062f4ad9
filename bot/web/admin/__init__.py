"""``/admin``: the operators' console. Every route but the login form needs a session."""

from __future__ import annotations

from aiohttp import web

from bot.context import Services
from bot.web.admin.session import AUTH, STORE, guard
from bot.web.auth import AdminAuth


def setup(app: web.Application, services: Services) -> None:
    from bot.web.admin import care, charts, customers, lists, outbox, rentals, session, tickets
    from bot.web.sessions import make_store

    app[AUTH] = AdminAuth.from_services(services)
    app[STORE] = make_store(services)
    app[care.CACHE] = {}
    app.middlewares.append(guard)
    r = app.router
    r.add_get("/admin", charts.dashboard)
    r.add_get("/admin/", charts.dashboard)
    r.add_get("/admin/login", session.login_form)
    r.add_post("/admin/login", session.login)
    r.add_post("/admin/logout", session.logout)
    r.add_post("/admin/sessions/{sid:[0-9a-f]{16}}/end", session.end_session)
    r.add_get("/admin/customers", customers.index)
    r.add_get("/admin/customers/{id:\\d+}", customers.detail)
    r.add_post("/admin/customers/{id:\\d+}/optout", customers.set_optout)
    r.add_get("/admin/tickets", tickets.index)
    r.add_get("/admin/tickets/{id:\\d+}", tickets.detail)
    r.add_post("/admin/tickets/{id:\\d+}/status", tickets.change_status)
    r.add_post("/admin/tickets/{id:\\d+}/engineer", tickets.assign)
    r.add_post("/admin/tickets/{id:\\d+}/window", tickets.reschedule)
    r.add_post("/admin/tickets/{id:\\d+}/cancel", tickets.cancel)
    r.add_get("/admin/trade-ins", lists.trade_ins)
    r.add_get("/admin/orders", lists.orders)
    r.add_get("/admin/leads", lists.leads)
    r.add_post("/admin/{what:trade-ins|orders|leads}/{id:\\d+}/status", lists.move)
    r.add_get("/admin/outbox", outbox.index)
    r.add_post("/admin/outbox/{id:\\d+}/retry", outbox.retry)
    r.add_get("/admin/care", care.calendar)
    r.add_get("/admin/rentals", rentals.index)
    r.add_post("/admin/rentals/{id:\\d+}/{action:end|renew}", rentals.act)
    from bot.web.admin import scrm

    r.add_get("/admin/scrm", scrm.index)
    r.add_post("/admin/scrm/campaigns", scrm.create_campaign)
    r.add_post("/admin/scrm/campaigns/{id:\\d+}/run", scrm.run_campaign)
    r.add_post("/admin/customers/{id:\\d+}/tags", scrm.edit_customer_tags)
    from bot.web.admin import accounts

    r.add_get("/admin/accounts", accounts.index)
    from bot.web.admin import staff

    r.add_get("/admin/staff", staff.index)
    r.add_post("/admin/staff/{userid:[A-Za-z0-9_.@-]{1,64}}/handover", staff.hand_over)
    r.add_post("/admin/accounts", accounts.create)
