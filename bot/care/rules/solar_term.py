"""A short note on each of the 24 solar terms (节气). Off by default."""

from __future__ import annotations

from bot.care.calendar import solar_term_on
from bot.care.rules.base import Config, PlanContext, renderer
from storage.repos import care as repo

KIND, OPTOUT, TITLE = "solar_term", "festival", "节气问候"
FIELDS = {"name", "term"}
DEFAULTS: Config = {
    "enabled": False,
    "channel": "auto",
    "text": "{name}您好，今天{term}，注意冷暖，照顾好自己和家人。",
}


def queries(ctx: PlanContext, cfg: Config) -> list:
    term = solar_term_on(ctx.day)
    if not term:
        return []
    occ = f"{term}:{ctx.day.year}"
    return [repo.everyone(ctx.sql, occ, renderer(cfg["text"]), {"term": term})]
