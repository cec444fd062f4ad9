"""``lead_days`` (30) before a unit's warranty ends, with the extended-warranty offer."""

from __future__ import annotations

from bot.care.rules.base import Config, PlanContext, renderer
from storage.repos import care as repo

KIND, OPTOUT, TITLE = "lifecycle", "reminder", "保修到期提醒"
FIELDS = {"name", "category", "brand", "model", "end_date"}
DEFAULTS: Config = {
    "enabled": True,
    "lead_days": 30,
    "channel": "auto",
    "text": "{name}您好，您家{brand}{category}的保修将在{end_date}到期。"
    "到期前办理延保，维修更省心，回复“延保”了解价格。",
}


def queries(ctx: PlanContext, cfg: Config) -> list:
    return [repo.warranty_expiry(ctx.sql, ctx.day, int(cfg["lead_days"]), renderer(cfg["text"]))]
