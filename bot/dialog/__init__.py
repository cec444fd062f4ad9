"""The dialog engine's entry point: one inbound message in, one reply out.

``respond(services, inbound)`` is what the webhook, ``wxbot chat`` and tests call. Forms:
bot/dialog/forms.py; intents are declared by a ``Router`` per feature and included with
``include_routers`` (bot/dialog/router.py, registry.py, handlers/routers.py); the guide:
docs/dialog-api.md.
"""

from __future__ import annotations

from bot.context import Services
from bot.dialog.registry import include_routers
from bot.dialog.router import Router
from bot.messages import Inbound, Reply

__all__ = ["Router", "include_routers", "respond"]


async def respond(services: Services, inbound: Inbound) -> Reply:
    from bot.dialog.engine import respond as _respond

    return await _respond(services, inbound)
