"""``lead_days`` (7) before a rental contract ends: renew, buy it out at the residual price,
or book the pick-up. A service message: no weekly cap; once per contract end (a renewed
contract is reminded again before its new end)."""

from __future__ import annotations

from bot.care.rules.base import Config, PlanContext, renderer
from storage.repos import rentals as repo

KIND, OPTOUT, TITLE = "service", "all", "租期到期提醒"
FIELDS = {"name", "category", "brand", "fee", "end_date", "residual"}
DEFAULTS: Config = {
    "enabled": True,
    "lead_days": 7,
    "channel": "auto",
    "text": "{name}您好，您租的{brand}{category}将于{end_date}到期。"
    "想接着用回复“续租”（月租{fee}）；喜欢的话也可以{residual}买下它，回复“人工”帮您办；"
    "不用了回复“退租”，我们约师傅上门取回。",
}


def queries(ctx: PlanContext, cfg: Config) -> list:
    return [repo.end_reminders(ctx.sql, ctx.day, int(cfg["lead_days"]), renderer(cfg["text"]))]
