"""The web pages: the playground (sandbox only) and the admin console."""

from __future__ import annotations

from aiohttp import web

from bot.context import Services


def setup(app: web.Application, services: Services) -> None:
    """Mount the templates, static files, the playground (sandbox mode) and /admin."""
    from bot.web import admin, playground, render

    render.setup(app, services)
    admin.setup(app, services)
    if services.settings.sandbox:
        playground.setup(app, services)
