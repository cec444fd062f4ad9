"""Each water-purifier filter stage, ``lead_days`` before it is due (last replaced + life)."""

from __future__ import annotations

from bot.care.rules.base import Config, PlanContext, renderer
from storage.repos import care as repo

KIND, OPTOUT, TITLE = "lifecycle", "reminder", "滤芯到期提醒"
FIELDS = {"name", "category", "brand", "model", "stage_name", "due_date"}
DEFAULTS: Config = {
    "enabled": True,
    "lead_days": 7,
    "channel": "auto",
    "text": "{name}您好，您家{brand}{category}的{stage_name}预计{due_date}到期，"
    "回复“买滤芯”就能下单，师傅可上门更换。",
}


def queries(ctx: PlanContext, cfg: Config) -> list:
    return [repo.filter_due(ctx.sql, ctx.day, int(cfg["lead_days"]), renderer(cfg["text"]))]
