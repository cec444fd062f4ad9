"""The service's intents: one router per feature module, included here and nowhere else.

A new intent is a router in its feature module (bot/dialog/router.py) and one entry below;
the NLU's intent list, the menu, the welcome text, the admin's labels and the dialog's
shortcuts follow from it (bot/dialog/registry.py). Features that look at every message
before routing add a step to the chain here (bot/dialog/middleware.py).
"""

from __future__ import annotations

import bot.dialog.engine  # noqa: F401 - the engine's own steps, which ours are placed among
from bot.dialog.middleware import use
from bot.dialog.questions import answer_with
from bot.dialog.registry import include_routers
from handlers import (
    booking_change,
    complaint,
    faq,
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

# Steps before routing (bot/dialog/middleware.py), placed among the engine's own.
use(booking_change.follow_up_step, name="booking_follow_up", after="confirmed")
use(booking_change.request_step, name="booking_change", before="cancel")
use(rating.step, name="rating", after="shortcut")

# Everyday questions (上门费多少, 几点下班) answered mid-form and before routing.
answer_with(faq)
