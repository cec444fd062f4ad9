"""After a visit: a rating request the next day (if not rated yet), a revisit on day 30."""

from __future__ import annotations

from bot.care.rules.base import Config, PlanContext, renderer
from storage.repos import care as repo

KIND, OPTOUT, TITLE = "service", "all", "服务回访"
FIELDS = {"name", "service", "number", "category"}
TEXT_KEYS = ("rating_text", "revisit_text")
DEFAULTS: Config = {
    "enabled": True,
    "rating_after_days": 1,
    "revisit_after_days": 30,
    "channel": "auto",
    "rating_text": "{name}您好，昨天师傅上门{service}，您还满意吗？回复1到5给这次服务打个分吧。",
    "revisit_text": "{name}您好，上个月上门{service}的{category}用着还好吗？有任何问题随时回复我们。",
}


def queries(ctx: PlanContext, cfg: Config) -> list:
    start, end = ctx.days_ago(int(cfg["rating_after_days"]))
    rate = repo.post_service(ctx.sql, start, end, "rate", True, renderer(cfg["rating_text"]))
    start, end = ctx.days_ago(int(cfg["revisit_after_days"]))
    revisit = repo.post_service(
        ctx.sql, start, end, "revisit", False, renderer(cfg["revisit_text"])
    )
    return [rate, revisit]
