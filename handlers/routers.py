"""The service's intents: one router per feature module, included here and nowhere else.

A new intent is a router in its feature module (bot/dialog/router.py) and one entry below;
the NLU's intent list, the menu, the welcome text, the admin's labels and the dialog's
shortcuts follow from it (bot/dialog/registry.py).
"""

from __future__ import annotations

from bot.dialog.registry import include_routers
from handlers import (
    complaint,
    filters,
    rating,
    register,
    rental,
    repair,
    smalltalk,
    status,
    subscription,
    trade_in,
    warranty,
)

include_routers(
    repair.router,
    trade_in.router,
    rental.router,
    filters.router,
    warranty.router,
    register.router,
    status.router,
    rating.router,
    complaint.router,
    subscription.router,
    smalltalk.router,
)
