"""Supplies used at a known rate (baby formula…): ``lead_days`` before they run out
(started_on + pack_size × packs ÷ daily_use days)."""

from __future__ import annotations

from bot.care.rules.base import Config, PlanContext, renderer
from storage.repos import care as repo

KIND, OPTOUT, TITLE = "lifecycle", "reminder", "补货提醒"
FIELDS = {"name", "product", "category", "runout_date"}
DEFAULTS: Config = {
    "enabled": True,
    "lead_days": 5,
    "channel": "auto",
    "text": "{name}您好，按每天的用量，您家的{product}大约{runout_date}用完，"
    "需要提前帮您备一罐吗？",
}


def queries(ctx: PlanContext, cfg: Config) -> list:
    return [repo.consumable_runout(ctx.sql, ctx.day, int(cfg["lead_days"]), renderer(cfg["text"]))]
