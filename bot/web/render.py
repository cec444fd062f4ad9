"""Jinja2 templates and static files for the web pages, with a few display filters."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot.context import Services
from bot.web.common import ADMIN

HERE = Path(__file__).resolve().parent
STATIC_PREFIX = "/web-static"

STATUS_LABELS = {
    # tickets
    "open": "待派单",
    "arrived": "师傅已到达",
    "assigned": "已派单",
    "scheduled": "已预约",
    "on_the_way": "师傅在路上",
    "in_progress": "服务中",
    "done": "已完成",
    "cancelled": "已取消",
    # outbox
    "pending": "待发送",
    "sending": "发送中",
    "sent": "已发送",
    "failed": "失败",
    "dead": "死信",
    "skipped": "已跳过",
    # trade-ins, orders, leads
    "applied": "已申请",
    "placed": "已下单",
    "new": "新商机",
    "contacted": "已联系",
    "won": "已成交",
    "lost": "已流失",
    "closed": "已关闭",
}
KIND_LABELS = {
    "repair": "维修",
    "install": "安装",
    "cleaning": "清洗",
    "trade_in": "以旧换新",
    "pickup": "退租取回",
    "inspection": "退租验机",
}

CHANNEL_LABELS = {
    "mp_kf": "客服消息",
    "mp_template": "服务通知",
    "work_app": "企业微信应用",
    "work_contact": "企业微信客户联系",
    "group_robot": "群机器人",
}
OUTBOX_KIND_LABELS = {
    "reply": "迟到回复",
    "service": "服务消息",
    "lifecycle": "关怀提醒",
    "festival": "节日问候",
    "solar_term": "节气关怀",
    "notice": "通知",
}


def _fen(value: int | None) -> str:
    if value is None:
        return "—"
    return f"¥{value / 100:,.2f}"


def _mask_phone(value: str | None) -> str:
    if not value:
        return "—"
    return value[:3] + "****" + value[-4:] if len(value) >= 11 else value


def setup(app: web.Application, services: Services) -> None:
    tz = services.settings.tz

    def local(value: datetime | date | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
        if value is None:
            return "—"
        if isinstance(value, datetime):
            return value.astimezone(tz).strftime(fmt)
        return value.strftime("%Y-%m-%d")

    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(str(HERE / "templates")),
        autoescape=jinja2.select_autoescape(["html", "xml", "svg"], default=True),
        filters={
            "local": local,
            "fen": _fen,
            "mask_phone": _mask_phone,
            "status": lambda s: STATUS_LABELS.get(s or "", s or "—"),
            "kind": lambda s: KIND_LABELS.get(s or "", s or "—"),
            "channel": lambda s: CHANNEL_LABELS.get(s or "", s or "—"),
            "outkind": lambda s: OUTBOX_KIND_LABELS.get(s or "", s or "—"),
        },
    )
    env.globals["static"] = STATIC_PREFIX
    env.globals["sandbox"] = services.settings.sandbox
    app.router.add_static(STATIC_PREFIX, HERE / "static", name="web-static")


def page(request: web.Request, template: str, context: dict[str, Any], status: int = 200):
    """Render ``template`` with the admin session (user, CSRF token) added."""
    ctx = {"admin": request.get(ADMIN), "path": request.path, **context}
    response = aiohttp_jinja2.render_template(template, request, ctx, status=status)
    return response
