"""The care calendar: what the planner would send over the next 30 days (writes nothing)."""

from __future__ import annotations

import asyncio
import copy
import logging
import time
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from aiohttp import web

from bot.web.common import services_of, store_scope
from bot.web.render import page
from storage.repos import admin_customers

log = logging.getLogger(__name__)
DAYS = 30
PARALLEL = 6
CACHE_S = 120.0  # building 30 day-plans takes about a second; the page reuses them briefly
CACHE = web.AppKey("care_calendar_cache", dict)


async def _preview(services, start: date) -> dict[date, list[dict[str, Any]]]:
    """Each day's preview (a few days at a time). The planner previews one day as if nothing
    had been sent since, so a (customer, rule) due over several days is shown on its first
    day only."""
    from bot.care.planner import Planner

    planner = Planner(services)
    gate = asyncio.Semaphore(PARALLEL)

    async def one(day: date) -> list[dict[str, Any]]:
        async with gate:
            return [dict(item) async for item in planner.preview(day)]

    days = [start + timedelta(days=i) for i in range(DAYS)]
    results = await asyncio.gather(*(one(d) for d in days))
    by_day: dict[date, list[dict[str, Any]]] = defaultdict(list)
    shown: set[tuple[Any, Any]] = set()
    for day, items in zip(days, results, strict=True):
        for item in items:
            key = (item.get("customer"), item.get("rule"))
            if key not in shown:
                shown.add(key)
                by_day[day].append(item)
    return by_day


GROUP_FROM = 3  # this many messages of one rule on one channel in a day are shown as one line


def _grouped(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A day's messages, those of one rule and channel together when there are several
    (「节日问候 · 29 位客户」, expandable), so a festival does not fill the page."""
    by_key: dict[tuple[Any, Any], list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        by_key[(item.get("rule"), item.get("channel"))].append(item)
    out = []
    for (rule, channel), members in by_key.items():
        if len(members) >= GROUP_FROM:
            out.append({"rule": rule, "channel": channel, "members": members})
        else:
            out.extend({"rule": rule, "channel": channel, "members": [m]} for m in members)
    return out


async def calendar(request: web.Request) -> web.Response:
    services = services_of(request)
    start = services.clock.local_now().date()
    problem = None
    by_day: dict[date, list[dict[str, Any]]] = {}
    cache = request.app[CACHE]
    hit = cache.get(start)
    fresh = (
        hit is not None and time.monotonic() - hit[0] < CACHE_S and not request.query.get("refresh")
    )
    try:
        if fresh:
            by_day = copy.deepcopy(hit[1])
        else:
            by_day = await _preview(services, start)
            cache.clear()
            cache[start] = (time.monotonic(), copy.deepcopy(by_day))
    except Exception:  # noqa: BLE001 - the page says so instead of failing
        log.exception("admin: care preview failed")
        problem = "关怀计划预览出错，详见日志"
    ids = sorted(
        {
            i["customer"]
            for items in by_day.values()
            for i in items
            if isinstance(i.get("customer"), int)
        }
    )
    scope = store_scope(request)
    async with services.db.session() as s:
        if scope is not None:  # a store manager: their customers' messages only
            mine = await admin_customers.of_store(s, ids, scope)
            by_day = {
                d: [i for i in items if i.get("customer") in mine] for d, items in by_day.items()
            }
            ids = sorted(mine)
        who = await admin_customers.names(s, ids)
    for items in by_day.values():
        for item in items:
            c = item.get("customer")
            item["customer_id"] = c if isinstance(c, int) else None
            item["customer"] = who.get(c, str(c)) if isinstance(c, int) else str(c or "")
    days = [start + timedelta(days=i) for i in range(DAYS)]
    total = sum(len(v) for v in by_day.values())
    groups = {d: _grouped(items) for d, items in by_day.items()}
    rules = sorted({i["rule"] for items in by_day.values() for i in items})
    return page(
        request,
        "admin/care.html",
        {"days": days, "groups": groups, "problem": problem, "total": total, "rules": rules},
    )
