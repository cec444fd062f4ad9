"""Staff of the stores, and the hand-over when one leaves or moves: their customers, open
tasks, leads, WeCom contacts and customer groups go to a colleague of the same store
(``bot.scrm.handover``, as ``wxbot staff leave|transfer``)."""

from __future__ import annotations

import logging
from urllib.parse import quote

from aiohttp import web
from sqlalchemy import func, select

from bot.web.common import ADMIN, services_of, store_scope
from bot.web.render import page
from storage.models import Customer, Staff, Store
from storage.repos import audit

log = logging.getLogger(__name__)
MODES = {"leave": "离职", "transfer": "调岗（在职）"}


async def index(request: web.Request) -> web.Response:
    services = services_of(request)
    scope = store_scope(request)
    async with services.db.session() as s:
        q = (
            select(Staff, Store.name, func.count(Customer.id))
            .join(Store, Store.id == Staff.store_id)
            .outerjoin(Customer, Customer.guide_id == Staff.id)
            .group_by(Staff.id, Store.name)
            .order_by(Staff.store_id, Staff.active.desc(), Staff.id)
        )
        if scope is not None:
            q = q.where(Staff.store_id == scope)
        rows = [(st, store, int(n)) for st, store, n in (await s.execute(q)).all()]
    colleagues: dict[int, list[Staff]] = {}
    for st, _, _ in rows:
        if st.active:
            colleagues.setdefault(st.store_id, []).append(st)
    return page(
        request,
        "admin/staff.html",
        {
            "rows": rows,
            "colleagues": colleagues,
            "modes": MODES,
            "notice": (request.query.get("notice") or "")[:200],
            "problem": (request.query.get("problem") or "")[:200],
        },
    )


async def hand_over(request: web.Request) -> web.Response:
    from bot.scrm.handover import HandoverError
    from bot.scrm.handover import hand_over as run

    services = services_of(request)
    userid = request.match_info["userid"]
    form = await request.post()
    to = str(form.get("to") or "")
    mode = str(form.get("mode") or "")
    if mode not in MODES:
        raise web.HTTPBadRequest(text="请选择离职或调岗")
    scope = store_scope(request)
    async with services.db.session() as s:
        src = await s.scalar(select(Staff).where(Staff.wecom_userid == userid))
    if src is None or (scope is not None and src.store_id != scope):
        raise web.HTTPNotFound(text="没有这位员工")
    try:
        result = await run(services, userid, to, mode)
    except HandoverError as exc:
        return web.Response(
            status=303, headers={"Location": f"/admin/staff?problem={quote(str(exc))}"}
        )
    said = (
        f"{src.name}已交接（{MODES[mode]}）：顾客{result['customers']}位、任务{result['tasks']}条、"
        f"商机{result['leads']}条、企业微信客户{result['wecom_contacts']}位、客户群{result['groups']}个"
    )
    async with services.db.transaction() as s:
        await audit.record(
            s,
            actor=f"admin:{request[ADMIN]['user']}",
            subject="staff",
            subject_id=src.id,
            action=f"handover_{mode}",
            now=services.clock.now(),
            note=f"{said} → {to}",
        )
    log.info("admin: %s handed over to %s (%s) by %s", userid, to, mode, request[ADMIN]["user"])
    return web.Response(status=303, headers={"Location": f"/admin/staff?notice={quote(said)}"})
