"""``/admin/rentals``: rental stock by state, contracts ending this month, rent per month (chart),
and the operator's actions on a contract: renew (续租) and end (the unit is back; an inspection
ticket puts it back in stock)."""

from __future__ import annotations

import logging
from datetime import date

from aiohttp import web

from bot.web.common import ADMIN, path_id, services_of, store_scope
from bot.web.render import page
from bot.web.svg import COLORS, Bar, columns
from storage.repos import rentals

log = logging.getLogger(__name__)
STATE_LABELS = {"in_stock": "在库", "rented": "在租", "inspecting": "待验机", "retired": "已下架"}
CONTRACT_LABELS = {"active": "在租", "ending": "待取回", "ended": "已结束"}
MONTHS = 12  # the chart: six months back, five ahead


def _month(day: date, shift: int) -> date:
    y, m = divmod(day.month - 1 + shift, 12)
    return date(day.year + y, m + 1, 1)


async def index(request: web.Request) -> web.Response:
    services = services_of(request)
    today = services.clock.local_now().date()
    this_month, next_month = _month(today, 0), _month(today, 1)
    first, last = _month(today, -6), _month(today, MONTHS - 6)
    async with services.db.session() as s:
        scope = store_scope(request)
        by_state = await rentals.units_by_state(s, scope)
        units = await rentals.units(s, store_id=scope)
        due = await rentals.contracts(s, ending_in=(this_month, next_month), store_id=scope)
        live = [
            r for r in await rentals.contracts(s, store_id=scope) if r.contract.status != "ended"
        ]
        income = await rentals.income_by_month(s, first, last, scope)
    months = [_month(first, i) for i in range(MONTHS)]
    chart = columns(
        [
            Bar(f"{m:%Y-%m}", income.get(f"{m:%Y-%m}", 0) // 100, COLORS[0 if m <= today else 1])
            for m in months
        ],
        title="每月租金（元）",
    )
    return page(
        request,
        "admin/rentals.html",
        {
            "by_state": by_state,
            "states": STATE_LABELS,
            "contract_labels": CONTRACT_LABELS,
            "units": units,
            "due": due,
            "live": live,
            "chart": chart,
            "notice": request.query.get("notice"),
        },
    )


async def act(request: web.Request) -> web.Response:
    """POST ``/admin/rentals/{id}/end`` or ``/renew`` (field ``months``)."""
    from handlers.rental_ops import end_contract

    services = services_of(request)
    contract_id = path_id(request)
    action = request.match_info["action"]
    form = await request.post()
    actor = f"admin:{request[ADMIN]['user']}"
    async with services.db.transaction() as s:
        c = await rentals.contract(s, contract_id)
        scope = store_scope(request)
        if c is None or (scope is not None and c.store_id != scope):
            raise web.HTTPNotFound(text="没有这份合同")
        if c.status == "ended":
            raise web.HTTPConflict(text="合同已经结束")
        if action == "end":
            await end_contract(services, s, c, actor=actor)
        else:
            months = str(form.get("months") or "")
            if not months.isdigit() or not 1 <= int(months) <= 24:
                raise web.HTTPBadRequest(text="续租月数：1-24")
            await rentals.renew(s, c, int(months))
    log.info("admin: rental contract %s %s by %s", contract_id, action, actor)
    return web.Response(status=303, headers={"Location": f"/admin/rentals?notice={action}"})
