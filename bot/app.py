"""The aiohttp application factory: health, metrics, and the WeChat / WeCom endpoints."""

from __future__ import annotations

import logging
import time

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot.context import Services

log = logging.getLogger(__name__)
SERVICES = web.AppKey("services", Services)


def services_of(request: web.Request) -> Services:
    """The process's services, from any handler."""
    return request.app[SERVICES]


@web.middleware
async def _observe(request: web.Request, handler):
    started = time.perf_counter()
    route = (
        request.match_info.route.resource.canonical if request.match_info.route.resource else "?"
    )
    metrics = request.app[SERVICES].metrics
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        metrics.of(metrics.requests, route, str(status)).inc()
        metrics.of(metrics.latency, route).observe(time.perf_counter() - started)


async def healthz(request: web.Request) -> web.Response:
    """200 when this process can accept a message now; 503 with the reason otherwise
    (bot/health.py: a write, the schema at head, free disk, Redis when configured)."""
    from bot import health

    services = request.app[SERVICES]
    result = await health.check(services)
    return web.json_response(result.body(services), status=200 if result.ok else 503)


async def metrics(request: web.Request) -> web.Response:
    """Prometheus text, for ``Authorization: Bearer <metrics.token>``; with no token set,
    for this machine only (loopback, not forwarded by a proxy)."""
    from bot.security import is_local, secret_equal

    services = request.app[SERVICES]
    token = services.settings.metrics.token
    if token:
        given = request.headers.get("Authorization", "")
        if not given.startswith("Bearer ") or not secret_equal(given[7:].strip(), token):
            return web.Response(
                status=401, text="metrics token needed", headers={"WWW-Authenticate": "Bearer"}
            )
    elif not is_local(request):
        return web.Response(status=403, text="set metrics.token to read metrics from elsewhere")
    body = generate_latest(services.metrics.registry)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


def runner_options(services: Services) -> dict:
    """``web.AppRunner`` options: aiohttp's keep-alive timer also runs from the moment a
    connection opens until its request headers are complete, so it is the header timeout
    (a connection that trickles its headers is closed after ``server.header_timeout_s``)."""
    return {"access_log": None, "keepalive_timeout": services.settings.server.header_timeout_s}


def create_app(services: Services, *, channels: bool = True) -> web.Application:
    app = web.Application(
        middlewares=[_observe],
        client_max_size=max(services.settings.security.max_body_bytes, 1024) + 1,
    )
    app[SERVICES] = services
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    if channels:
        from bot.channels import setup_channels

        setup_channels(app, services)
    return app
