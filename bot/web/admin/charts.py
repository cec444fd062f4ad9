"""The console's front page: conversations per day, intents, ratings, sends by result."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, time, timedelta

from aiohttp import web

from bot import vocabulary
from bot.web.common import ADMIN, services_of, store_scope
from bot.web.render import page
from bot.web.svg import COLORS, Bar, columns, rows
from storage.repos import admin_stats, admin_tickets

DAYS = 14
STATUS_COLORS = {
    "sent": COLORS[0],
    "pending": COLORS[1],
    "sending": COLORS[1],
    "failed": COLORS[2],
    "dead": COLORS[3],
}


def _by_label(counts: list[tuple[str, int]]) -> Counter[str]:
    """Intent counts by their Chinese label (the staff commands add up as 员工命令)."""
    out: Counter[str] = Counter()
    for code, n in counts:
        out[vocabulary.intent(code)] += n
    return out


async def _active_sessions(request: web.Request):
    from bot.web.admin.session import AUTH, STORE

    now = services_of(request).clock.now()
    found = await request.app[STORE].listing(request.app[AUTH].password_tag, now)
    if store_scope(request) is not None:  # a store manager sees (and ends) their own only
        found = [a for a in found if a.user == request[ADMIN]["user"]]
    return found


async def dashboard(request: web.Request) -> web.Response:
    services = services_of(request)
    tz = services.settings.tz
    today = services.clock.local_now().date()
    first = today - timedelta(days=DAYS - 1)
    since = datetime.combine(first, time(0), tzinfo=tz)
    async with services.db.session() as s:
        scope = store_scope(request)
        times = await admin_stats.inbound_times(s, since, scope)
        intents = await admin_stats.intents(s, since, scope)
        ratings = await admin_stats.ratings(s, scope)
        sends = await admin_stats.sends(s, scope)
        overdue = await admin_tickets.overdue_count(s, services.clock.now(), scope)
    # a conversation: one person writing on one (local) day
    per_day = Counter(d for d, _ in {(t.astimezone(tz).date(), u) for t, u in times})
    days = [first + timedelta(days=i) for i in range(DAYS)]
    by_status: Counter[str] = Counter()
    for _channel, status, n in sends:
        by_status[status] += n
    rated = sum(ratings.values())
    average = sum(s * n for s, n in ratings.items()) / rated if rated else None
    charts = {
        "per_day": columns(
            [Bar(d.strftime("%m-%d"), per_day.get(d, 0)) for d in days], title="每日会话（人）"
        ),
        "intents": rows(
            [Bar(name, n, COLORS[1]) for name, n in _by_label(intents).most_common()], title="意图"
        ),
        "ratings": rows(
            [Bar("★" * s, ratings.get(s, 0), COLORS[2]) for s in range(5, 0, -1)], title="评价"
        ),
        "sends": rows(
            [
                Bar(
                    vocabulary.label(vocabulary.OUTBOX_STATUS, st),
                    n,
                    STATUS_COLORS.get(st, COLORS[5]),
                )
                for st, n in sorted(by_status.items(), key=lambda kv: -kv[1])
            ],
            title="发送结果",
        ),
    }
    return page(
        request,
        "admin/dashboard.html",
        {
            "charts": charts,
            "total_in": len(times),
            "days": DAYS,
            "rated": rated,
            "average": average,
            "sends_total": sum(by_status.values()),
            "sends_by_channel": sends,
            "overdue": overdue,
            "sessions": await _active_sessions(request),
            "notice": request.query.get("notice"),
        },
    )
