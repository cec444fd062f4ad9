"""Small helpers the web handlers share."""

from __future__ import annotations

from aiohttp import web

from bot.app import services_of  # noqa: F401 - the web handlers import it from here

INT64_MAX = 2**63 - 1  # the largest id or offset a database column or OFFSET takes


def int_param(request: web.Request, name: str, default: int = 0) -> int:
    try:
        return min(max(int(request.query.get(name, default)), 0), INT64_MAX)
    except ValueError:
        return default


def path_id(request: web.Request, name: str = "id") -> int:
    """A numeric id from the path; one no table can hold is simply not found (404)."""
    try:
        value = int(request.match_info[name])
    except ValueError:
        raise web.HTTPNotFound(text="没有这一项") from None
    if not 0 < value <= INT64_MAX:
        raise web.HTTPNotFound(text="没有这一项")
    return value


def paging_param(request: web.Request, name: str = "offset") -> int:
    """A paging parameter (``offset``): absent is 0; not a number from 0 to 2^63-1 is 400."""
    raw = request.query.get(name, "").strip()
    if not raw:
        return 0
    if not raw.isascii() or not raw.isdigit() or len(raw) > 19 or int(raw) > INT64_MAX:
        raise web.HTTPBadRequest(text="翻页参数不对")
    return int(raw)


ADMIN = web.RequestKey("admin", dict)  # {"user", "csrf", "account", "scope"} once checked


def store_scope(request: web.Request) -> int | None:
    """The one store the signed-in account may see (a store manager's), or None for all."""
    info = request.get(ADMIN)
    return info.get("scope") if info else None
