"""``lead_days`` (3) before each month's rent of a rental contract falls due (not the first
month, paid at delivery). A service message: no weekly cap; one per due, ever."""

from __future__ import annotations

from bot.care.rules.base import Config, PlanContext, renderer
from storage.repos import rentals as repo

KIND, OPTOUT, TITLE = "service", "all", "租金到期提醒"
FIELDS = {"name", "category", "brand", "fee", "amount", "due_date", "end_date", "residual"}
DEFAULTS: Config = {
    "enabled": True,
    "lead_days": 3,
    "channel": "auto",
    "text": "{name}您好，您租的{brand}{category}下个月的租金{amount}将于{due_date}到期，"
    "到时店里同事会联系您收取。用着有任何问题随时回复我们～",
}


def queries(ctx: PlanContext, cfg: Config) -> list:
    return [repo.due_reminders(ctx.sql, ctx.day, int(cfg["lead_days"]), renderer(cfg["text"]))]
