"""Jinja2 templates and static files for the web pages, with a few display filters."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot import vocabulary
from bot.context import Services
from bot.web.common import ADMIN

HERE = Path(__file__).resolve().parent
STATIC_PREFIX = "/web-static"


def _fen(value: int | None) -> str:
    if value is None:
        return "—"
    return f"¥{value / 100:,.2f}"


def _reply_text(value: str | None) -> str:
    """The words of a stored reply (the ledger keeps it as JSON to answer WeChat's retries)."""
    if not value:
        return ""
    try:
        data = json.loads(value)
    except ValueError:
        return value
    if isinstance(data, dict):
        return str(data.get("text") or "")
    return value


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
            "status": lambda s: vocabulary.label(vocabulary.STATUS, s),
            "kind": lambda s: vocabulary.label(vocabulary.TICKET_KINDS, s),
            "channel": lambda s: vocabulary.label(vocabulary.CHANNELS, s),
            "outkind": lambda s: vocabulary.label(vocabulary.OUTBOX_KINDS, s),
            "intent": vocabulary.intent,
            "reply_text": _reply_text,
            "send_error": vocabulary.send_error,
            "subject": lambda s: vocabulary.label(vocabulary.SUBJECTS, s),
            "handoff": lambda s: vocabulary.label(vocabulary.HANDOFF_KINDS, s),
            "identity": lambda s: vocabulary.label(vocabulary.IDENTITY_CHANNELS, s),
            "msgtype": lambda s: vocabulary.label(vocabulary.MESSAGE_TYPES, s),
            "rule": vocabulary.care_rule,
            "actor": vocabulary.actor,
            "optout": lambda s: vocabulary.label(vocabulary.OPTOUT_KINDS, s),
            "role": lambda s: vocabulary.label(vocabulary.ROLES, s),
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
