"""The one intent → handler table. A value names ``module:attribute``: a :class:`Form`
(a conversation with slots) or a responder coroutine ``async (turn) -> str | Reply``.
Resolved lazily, so a handler module that is not there yet answers politely instead.
"""

from __future__ import annotations

import importlib
import logging
from functools import cache
from typing import Any

log = logging.getLogger(__name__)

ROUTES: dict[str, str] = {
    # booking a visit (handlers/repair.py)
    "repair": "handlers.repair:REPAIR",
    "install": "handlers.repair:INSTALL",
    "cleaning": "handlers.repair:CLEANING",
    # selling and caring (helper-5's modules)
    "trade_in": "handlers.trade_in:FORM",
    "filter_reorder": "handlers.filters:FORM",
    "warranty": "handlers.warranty:respond",
    "warranty_plan": "handlers.warranty:FORM",  # not an NLU intent: reached by SHORTCUTS
    "register_product": "handlers.register:FORM",
    "ticket_status": "handlers.status:respond",
    "rental": "handlers.rental:FORM",
    "rental_renew": "handlers.rental:RENEW",  # not an NLU intent: reached by SHORTCUTS
    "rental_end": "handlers.rental:END",  # not an NLU intent: reached by SHORTCUTS
    # people
    "complaint": "handlers.complaint:complaint",
    "human_agent": "handlers.complaint:human_agent",
    "unsubscribe": "handlers.subscription:unsubscribe",
    "subscribe": "handlers.subscription:subscribe",  # not an NLU intent: reached by SHORTCUTS
    "greeting": "handlers.smalltalk:greeting",
    "thanks": "handlers.smalltalk:thanks",
    "unknown": "handlers.smalltalk:unknown",
}

# Whole messages that mean one thing whatever the NLU says (matched after bot.dialog.words.norm).
SHORTCUTS: dict[str, str] = {
    "td": "unsubscribe",
    "退订": "unsubscribe",
    "订阅": "subscribe",
    "恢复订阅": "subscribe",
    "重新订阅": "subscribe",
    "人工": "human_agent",
    "转人工": "human_agent",
    "人工客服": "human_agent",
    "约师傅": "repair",  # the offer after fault advice (handlers/fault_advice.py)
    "约师傅上门": "repair",
    "预约维修": "repair",
    "菜单": "greeting",
    "帮助": "greeting",
    "办延保": "warranty_plan",
    "延保": "warranty_plan",
    "办理延保": "warranty_plan",
    "买延保": "warranty_plan",
    "全保": "warranty_plan",
    "办全保": "warranty_plan",
    "续租": "rental_renew",
    "我要续租": "rental_renew",
    "我想续租": "rental_renew",
    "退租": "rental_end",
    "我要退租": "rental_end",
    "我想退租": "rental_end",
    "不租了": "rental_end",
}

# Intents whose answer ends a pending form (everything else answers and comes back to it).
ENDS_FORM = {"complaint", "human_agent"}


@cache
def resolve(intent: str) -> Any:
    """The Form or responder for ``intent`` (the ``unknown`` one when missing)."""
    target = ROUTES.get(intent) or ROUTES["unknown"]
    module_name, attr = target.split(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        log.warning("route %s: %s is not there yet", intent, module_name)
        from handlers.smalltalk import not_ready

        return not_ready
    return getattr(module, attr)


# Short messages starting with these mean one thing too ("退订节日祝福", "订阅提醒").
PREFIXES: tuple[tuple[str, str], ...] = (
    ("退订", "unsubscribe"),
    ("恢复订阅", "subscribe"),
    ("重新订阅", "subscribe"),
    ("订阅", "subscribe"),
    ("转人工", "human_agent"),
    ("续租", "rental_renew"),
    ("退租", "rental_end"),
)


def shortcut(normalized_text: str) -> str | None:
    """The intent a whole short message names regardless of the NLU, or None."""
    if normalized_text in SHORTCUTS:
        return SHORTCUTS[normalized_text]
    if len(normalized_text) <= 12:
        for prefix, intent in PREFIXES:
            if normalized_text.startswith(prefix):
                return intent
    return None
