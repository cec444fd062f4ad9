"""The staff commands of WeCom's workbench: one router per feature module, included here.

A new command is a grammar rule in bot/work/commands.py (a staff line → its name and
arguments) and a handler declared with ``@staff_router.command(name, help=…)`` in its
module; the 帮助 text follows from the declarations (bot/work/staff_router.py).
"""

from __future__ import annotations

from bot.work.staff_router import include_staff_routers
from handlers import (
    guide_groups,
    guide_leads,
    guide_lookup,
    guide_plans,
    guide_tags,
    guide_tasks,
    guide_tickets,
)

include_staff_routers(
    guide_tasks.staff_router,
    guide_lookup.staff_router,
    guide_tags.staff_router,
    guide_leads.staff_router,
    guide_plans.staff_router,
    guide_tickets.staff_router,
    guide_groups.staff_router,
)
