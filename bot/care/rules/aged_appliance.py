"""Units ``min_years`` (8)+ old: a free safety check and the trade-in offer, on the purchase
anniversary, at most once a year per customer."""

from __future__ import annotations

from bot.care.rules.base import Config, PlanContext, renderer
from storage.repos import care as repo

KIND, OPTOUT, TITLE = "lifecycle", "reminder", "老家电安全检测"
FIELDS = {"name", "category", "brand", "years"}
DEFAULTS: Config = {
    "enabled": True,
    "min_years": 8,
    "channel": "auto",
    "text": "{name}您好，您家的{brand}{category}已经用了{years}年，我们可以免费上门做一次"
    "安全检测；想换新的话，以旧换新还有补贴。需要帮您约个时间吗？",
}


def queries(ctx: PlanContext, cfg: Config) -> list:
    return [repo.aged_appliance(ctx.sql, ctx.day, int(cfg["min_years"]), renderer(cfg["text"]))]
