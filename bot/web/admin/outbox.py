"""The outbox: pending, sent, failed and dead letters with their reasons; retry."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.vocabulary import STAFF_CHANNELS
from bot.web.common import ADMIN, path_id, services_of, store_scope
from bot.web.render import page
from storage.repos import admin_stats
from storage.repos import outbox as outbox_repo
from storage.repos import staff as staff_repo

log = logging.getLogger(__name__)
TABS = [
    ("", "全部"),
    ("pending", "待发送"),
    ("sent", "已发送"),
    ("failed", "失败"),
    ("dead", "死信"),
    ("skipped", "已跳过"),
]
RETRYABLE = {"failed", "dead", "skipped"}


async def index(request: web.Request) -> web.Response:
    services = services_of(request)
    status = request.query.get("status") or ""
    if status not in dict(TABS):
        status = ""
    async with services.db.session() as s:
        found = await admin_stats.outbox_page(s, status or None, store_id=store_scope(request))
        counts = await outbox_repo.count_by_status(s)
        colleagues = await staff_repo.names_by_userid(
            s, sorted({m.recipient for m, _ in found if m.channel in STAFF_CHANNELS})
        )
    return page(
        request,
        "admin/outbox.html",
        {
            "rows": found,
            "colleagues": colleagues,
            "staff_channels": STAFF_CHANNELS,
            "tabs": TABS,
            "status": status,
            "counts": counts,
            "retryable": RETRYABLE,
            "notice": request.query.get("notice"),
        },
    )


async def retry(request: web.Request) -> web.Response:
    services = services_of(request)
    row_id = path_id(request)
    async with services.db.transaction() as s:
        if not await admin_stats.outbox_in_store(s, row_id, store_scope(request)):
            raise web.HTTPNotFound(text="没有这一条")
        ok = await outbox_repo.retry(s, row_id, services.clock.now())
    if ok:
        log.info("admin: outbox row %s queued again by %s", row_id, request[ADMIN]["user"])
        try:
            from bot.outbox import deliver_soon

            await deliver_soon(services, [row_id])
        except Exception:  # noqa: BLE001 - the scheduler picks it up anyway
            log.exception(
                "admin: immediate delivery of row %s failed; left to the scheduler", row_id
            )
    notice = "retried" if ok else "not-retryable"
    back = str((await request.post()).get("back") or "")
    back = back if back in dict(TABS) else ""
    return web.Response(
        status=303, headers={"Location": f"/admin/outbox?status={back}&notice={notice}"}
    )
