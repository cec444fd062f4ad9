"""Seasonal notes (February, May, October, November) to owners of the listed categories."""

from __future__ import annotations

from bot.care.rules.base import Config, PlanContext, renderer
from storage.repos import care as repo

KIND, OPTOUT, TITLE = "lifecycle", "reminder", "换季提醒"
FIELDS = {"name", "category"}
DEFAULTS: Config = {
    "enabled": True,
    "channel": "auto",
    "seasons": [
        {
            "key": "feb_filters",
            "on": "02-25",
            "categories": ["净水器", "油烟机"],
            "text": "{name}您好，过完年家里用水用火多，{category}该检查保养了，需要帮您约师傅吗？",
        },
        {
            "key": "may_ac_cleaning",
            "on": "05-10",
            "categories": ["空调"],
            "text": "{name}您好，天快热了，空调用之前清洗一下更健康，回复“空调清洗”就能预约。",
        },
        {
            "key": "oct_water_heater",
            "on": "10-15",
            "categories": ["热水器", "燃气灶"],
            "text": "{name}您好，天凉了，{category}用得多起来，建议做一次安全检查，需要帮您约吗？",
        },
        {
            "key": "nov_heating",
            "on": "11-10",
            "categories": ["空调"],
            "text": "{name}您好，入冬前给空调做个制热检查和滤网清洗，用起来更暖更省电，需要预约吗？",
        },
    ],
}


def queries(ctx: PlanContext, cfg: Config) -> list:
    today = ctx.day.strftime("%m-%d")
    return [
        repo.seasonal(ctx.sql, ctx.day, s["key"], list(s["categories"]), renderer(s["text"]))
        for s in cfg["seasons"]
        if s.get("on") == today
    ]
