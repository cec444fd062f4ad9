"""Birthday wishes: the customer's, and the baby's (29 Feb is kept on 28 Feb)."""

from __future__ import annotations

from bot.care.rules.base import Config, PlanContext, renderer
from storage.repos import care as repo

KIND, OPTOUT, TITLE = "festival", "festival", "生日祝福"
FIELDS = {"name", "age"}
TEXT_KEYS = ("text", "baby_text")
DEFAULTS: Config = {
    "enabled": True,
    "channel": "auto",
    "text": "{name}您好，今天是您的生日，祝您生日快乐、万事顺心！",
    "baby_text": "{name}您好，宝宝今天{age}岁啦，祝小宝贝健康快乐地长大！",
}


def queries(ctx: PlanContext, cfg: Config) -> list:
    return [
        repo.birthday(ctx.sql, ctx.day, False, renderer(cfg["text"])),
        repo.birthday(ctx.sql, ctx.day, True, renderer(cfg["baby_text"])),
    ]
