"""Inbound channels: each verifies, decrypts, parses and deduplicates, then hands an
:class:`~bot.messages.Inbound` to the dialog engine."""

from __future__ import annotations

from aiohttp import web

from bot.context import Services


def setup_channels(app: web.Application, services: Services) -> None:
    import importlib

    for name in ("bot.channels.mp", "bot.channels.work", "bot.web"):
        module = importlib.import_module(name)
        module.setup(app, services)
