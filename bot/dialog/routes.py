"""Routing, as the engine asks it: which handler answers an intent, which whole messages name
an intent whatever the NLU says, and whether an intent asked mid-form ends the form. All of
it derives from the routers (bot/dialog/registry.py; the service's in handlers/routers.py).
"""

from __future__ import annotations

from typing import Any

from bot.dialog import registry


def resolve(intent: str) -> Any:
    """The Form or responder for ``intent`` (the ``unknown`` one when missing)."""
    return registry.resolve(intent)


def shortcut(normalized_text: str) -> str | None:
    """The intent a whole short message names regardless of the NLU, or None."""
    return registry.shortcut(normalized_text)


def ends_form(intent: str) -> bool:
    """Answering ``intent`` ends a pending form (a complaint, a person asked for); everything
    else answers and comes back to the form's question."""
    return not registry.is_aside(intent)


def grave(intent: str) -> bool:
    """A state change or an alert: a confident request for it is never read as a question."""
    return registry.consequence(intent) in ("state", "alert")
