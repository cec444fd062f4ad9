"""客户运营: tags and how many hold each, segments with their size before anything is sent,
campaigns with their results (sent, skipped by reason, replies within 7 days, what
followed) and a chart, and customers lost in WeCom per guide."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from aiohttp import web

from bot.web.common import path_id, services_of, store_scope
from bot.web.render import page
from bot.web.svg import COLORS, Bar, columns, rows
from storage.repos import group_chats as group_chats_repo

log = logging.getLogger(__name__)

REASONS = {
    "already_queued": "已发过",
    "opted_out": "已退订",
    "open_complaint": "投诉处理中",
    "weekly_cap": "本周已达上限",
    "not_follower": "已取关",
    "no_channel": "无可用渠道",
}
CHANNELS = {
    "mp_kf": "客服消息",
    "mp_template": "服务通知",
    "work_contact": "导购群发",
    "guide_task": "导购任务",
}
LOSS = {"del_follow_user": "顾客删导购", "del_external_contact": "导购删顾客"}


def _results_chart(r: dict[str, Any]) -> Any:
    out = r.get("outbox") or {}
    skipped = r.get("skipped_total") or {}
    bars = [
        Bar("已送达/已记录", int(out.get("sent", 0)), COLORS[0]),
        Bar("待发送", int(out.get("pending", 0)) + int(out.get("sending", 0)), COLORS[1]),
        Bar("失败", int(out.get("dead", 0)) + int(out.get("skipped", 0)), COLORS[3]),
    ]
    bars += [Bar(REASONS.get(k, k), int(v), COLORS[2]) for k, v in skipped.items()]
    bars.append(Bar("7天内回复", int(r.get("replied_7d", 0)), COLORS[4]))
    return rows(bars, title=f"活动 {r['name']} 的结果")


CHAIN_ONLY = "客户运营（分群和群发活动）由总部管理员管理，门店店长账号看不到这一页。"


def _chain_admin_only(request: web.Request) -> None:
    """Segments and campaigns reach customers of every store: chain admins only."""
    if store_scope(request) is not None:
        raise web.HTTPForbidden(text=CHAIN_ONLY)


GROUP_DAYS = 14
LOSS_WEEKS = 8


def _loss_weeks_chart(services, times: list) -> Any:
    """Customers lost in WeCom per local week (Monday first), the last ``LOSS_WEEKS``."""
    tz = services.settings.tz
    today = services.clock.local_now().date()
    this_monday = today - timedelta(days=today.weekday())
    mondays = [this_monday - timedelta(weeks=LOSS_WEEKS - 1 - i) for i in range(LOSS_WEEKS)]
    counts = dict.fromkeys(mondays, 0)
    for at, _guide in times:
        day = at.astimezone(tz).date()
        monday = day - timedelta(days=day.weekday())
        if monday in counts:
            counts[monday] += 1
    bars = [Bar(f"{m.month}/{m.day}起", n, COLORS[3]) for m, n in counts.items()]
    return columns(bars, title="每周流失的企业微信客户")


def _groups_chart(group_rows: list, first) -> Any:
    """Members of every synced customer group, per day (a day without figures: the last)."""
    totals = []
    last: dict[int, int] = {}
    for i in range(GROUP_DAYS):
        day = first + timedelta(days=i)
        for g, days in group_rows:
            for d in days:
                if d.day == day:
                    last[g.id] = d.members
        totals.append(Bar(f"{day.month}/{day.day}", sum(last.values()), COLORS[2]))
    return columns(totals, title="客户群总人数（近14天）")


async def index(request: web.Request) -> web.Response:
    _chain_admin_only(request)
    from bot.scrm import segments
    from bot.scrm.segments import SegmentError
    from storage.repos import campaigns as campaigns_repo
    from storage.repos import handover as handover_repo
    from storage.repos import segments as segments_repo
    from storage.repos import tags as tags_repo

    services = services_of(request)
    expr = (request.query.get("expr") or "").strip()[:500]
    preview: dict[str, Any] | None = None
    if expr:
        try:
            total, members = await segments.show(services, expr, limit=20)
            preview = {"expr": expr, "count": total, "rows": members}
        except SegmentError as exc:
            preview = {"expr": expr, "error": str(exc)}
    since = services.clock.now() - timedelta(days=30)
    async with services.db.session() as s:
        tag_counts = await tags_repo.counts(s)
        saved = await segments_repo.all_saved(s)
        recent = await campaigns_repo.recent(s, 20)
        reports = [await campaigns_repo.report(s, c) for c in recent]
        losses = await handover_repo.losses_by_guide(s, since)
        weeks_since = services.clock.now() - timedelta(weeks=LOSS_WEEKS)
        loss_times = await handover_repo.loss_times(s, weeks_since)
        first = services.clock.local_now().date() - timedelta(days=GROUP_DAYS - 1)
        group_rows = await group_chats_repo.figures(s, first)
    sizes = []
    for g in saved:
        try:
            sizes.append((g, await segments.count(services, g.expr), None))
        except SegmentError as exc:
            sizes.append((g, None, str(exc)))
    for r in reports:
        r["skipped_total"] = r.get("skipped_last_run") or {}
    charts = {
        "tags": rows(
            [Bar(n, c, COLORS[0] if k == "auto" else COLORS[1]) for n, k, c in tag_counts],
            title="标签人数",
        ),
        "campaign": _results_chart(reports[0]) if reports else None,
        "losses": rows(
            [Bar(f"{u or '—'} {LOSS.get(t, t)}", int(n), COLORS[3]) for u, t, n in losses],
            title="近30天客户流失",
        ),
        "groups": _groups_chart(group_rows, first) if group_rows else None,
        "loss_weeks": _loss_weeks_chart(services, loss_times),
    }
    return page(
        request,
        "admin/scrm.html",
        {
            "tags": tag_counts,
            "groups": [
                (g, sum(d.joins for d in days), sum(d.leaves for d in days))
                for g, days in group_rows
            ],
            "segments": sizes,
            "preview": preview,
            "reports": reports,
            "charts": charts,
            "reasons": REASONS,
            "channels": CHANNELS,
            "notice": request.query.get("notice"),
        },
    )


async def create_campaign(request: web.Request) -> web.Response:
    from bot.scrm import campaigns
    from bot.scrm.campaigns import CampaignError
    from bot.scrm.segments import SegmentError

    _chain_admin_only(request)
    services = services_of(request)
    form = await request.post()
    try:
        card = campaigns.news_card(
            str(form.get("card_title") or "")[:64],
            str(form.get("card_url") or "")[:500],
            str(form.get("card_desc") or "")[:120],
            str(form.get("card_pic") or "")[:500] or None,
        )
        cid = await campaigns.create(
            services,
            name=str(form.get("name") or "")[:64],
            segment=str(form.get("segment") or "")[:500],
            text=str(form.get("text") or "")[:2000],
            at=str(form.get("at") or "").strip() or None,
            card=card,
        )
    except (CampaignError, SegmentError) as exc:
        raise web.HTTPBadRequest(text=f"无法创建活动：{exc}") from None
    log.info("admin: campaign %s created", cid)
    return web.Response(status=303, headers={"Location": "/admin/scrm?notice=created"})


async def run_campaign(request: web.Request) -> web.Response:
    from bot.scrm import campaigns
    from bot.scrm.campaigns import CampaignError

    _chain_admin_only(request)
    services = services_of(request)
    cid = path_id(request)
    try:
        result = await campaigns.run(services, cid)
    except CampaignError:
        raise web.HTTPNotFound(text="没有这个活动") from None
    log.info("admin: campaign %s run: %s", cid, result)
    return web.Response(status=303, headers={"Location": "/admin/scrm?notice=queued"})


async def customer_tags(services, customer_id: int) -> list[tuple[str, str]]:
    from storage.repos import tags as tags_repo

    async with services.db.session() as s:
        return await tags_repo.for_customer(s, customer_id)


async def edit_customer_tags(request: web.Request) -> web.Response:
    """POST ops like "+换冰箱意向 -装修中" for one customer (manual tags only)."""
    import re

    from bot.scrm.manual_tags import apply
    from storage.models import Customer

    services = services_of(request)
    cid = path_id(request)
    form = await request.post()
    ops = re.findall(r"([+-])\s*([^\s+-][^\s+]*)", str(form.get("ops") or "")[:300])
    scope = store_scope(request)
    async with services.db.session() as s:
        customer = await s.get(Customer, cid)
        if customer is None or (scope is not None and customer.store_id != scope):
            raise web.HTTPNotFound(text="没有这位客户")
    if not ops:
        raise web.HTTPBadRequest(text="请写成 +标签 或 -标签")
    done = await apply(services, cid, ops)
    log.info("admin: customer %s tags +%s -%s", cid, done.added, done.removed)
    return web.Response(status=303, headers={"Location": f"/admin/customers/{cid}"})
