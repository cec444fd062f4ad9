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
        metrics.requests.labels(route, str(status)).inc()
        metrics.latency.labels(route).observe(time.perf_counter() - started)


async def healthz(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    try:
        await services.db.ping()
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        log.warning("health check failed: %s", type(exc).__name__)
        return web.json_response({"status": "unhealthy", "database": "unreachable"}, status=503)
    return web.json_response(
        {"status": "ok", "database": "ok", "sandbox": services.settings.sandbox}
    )


async def metrics(request: web.Request) -> web.Response:
    body = generate_latest(request.app[SERVICES].metrics.registry)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


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
