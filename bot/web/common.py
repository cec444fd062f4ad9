"""Small helpers the web handlers share."""

from __future__ import annotations

from aiohttp import web

from bot.app import services_of  # noqa: F401 - the web handlers import it from here


def int_param(request: web.Request, name: str, default: int = 0) -> int:
    try:
        return max(int(request.query.get(name, default)), 0)
    except ValueError:
        return default


ADMIN = web.RequestKey("admin", dict)  # {"user", "csrf"} once the session is checked
