"""The console's front page: conversations per day, intents, ratings, sends by result."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, time, timedelta

from aiohttp import web

from bot.web.common import services_of
from bot.web.render import STATUS_LABELS, page
from bot.web.svg import COLORS, Bar, columns, rows
from storage.repos import admin_stats

DAYS = 14
INTENT_LABELS = {
    "repair": "报修",
    "install": "安装",
    "cleaning": "清洗",
    "trade_in": "以旧换新",
    "rental": "租赁",
    "filter_reorder": "买滤芯",
    "warranty": "保修",
    "ticket_status": "查进度",
    "register_product": "登记产品",
    "complaint": "投诉",
    "human_agent": "转人工",
    "unsubscribe": "退订",
    "greeting": "问候",
    "thanks": "感谢",
    "unknown": "未识别",
}
STATUS_COLORS = {
    "sent": COLORS[0],
    "pending": COLORS[1],
    "sending": COLORS[1],
    "failed": COLORS[2],
    "dead": COLORS[3],
}


async def dashboard(request: web.Request) -> web.Response:
    services = services_of(request)
    tz = services.settings.tz
    today = services.clock.local_now().date()
    first = today - timedelta(days=DAYS - 1)
    since = datetime.combine(first, time(0), tzinfo=tz)
    async with services.db.session() as s:
        times = await admin_stats.inbound_times(s, since)
        intents = await admin_stats.intents(s, since)
        ratings = await admin_stats.ratings(s)
        sends = await admin_stats.sends(s)
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
            [Bar(INTENT_LABELS.get(i, i), n, COLORS[1]) for i, n in intents], title="意图"
        ),
        "ratings": rows(
            [Bar("★" * s, ratings.get(s, 0), COLORS[2]) for s in range(5, 0, -1)], title="评价"
        ),
        "sends": rows(
            [
                Bar(STATUS_LABELS.get(st, st), n, STATUS_COLORS.get(st, COLORS[5]))
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
        },
    )
