"""The anniversary of moving into the home (乔迁纪念日)."""

from __future__ import annotations

from bot.care.rules.base import Config, PlanContext, renderer
from storage.repos import care as repo

KIND, OPTOUT, TITLE = "festival", "festival", "乔迁纪念日"
FIELDS = {"name", "years"}
DEFAULTS: Config = {
    "enabled": True,
    "channel": "auto",
    "text": "{name}您好，今天是您乔迁新居{years}周年，祝您家宅平安、日子越过越好！",
}


def queries(ctx: PlanContext, cfg: Config) -> list:
    return [repo.home_anniversary(ctx.sql, ctx.day, renderer(cfg["text"]))]
