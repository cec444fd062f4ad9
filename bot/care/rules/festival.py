"""Greetings on traditional and public festivals (lunar dates from lunar-python)."""

from __future__ import annotations

from bot.care.calendar import festivals_on
from bot.care.rules.base import Config, PlanContext, renderer
from storage.repos import care as repo

KIND, OPTOUT, TITLE = "festival", "festival", "节日问候"
FIELDS = {"name", "festival"}
DEFAULTS: Config = {
    "enabled": True,
    "channel": "auto",
    "texts": {
        "元旦": "{name}您好，新年快乐！新的一年家里电器有任何问题，随时找我们。",
        "腊八": "{name}您好，腊八节到了，喝碗热粥暖暖身子，祝您全家安康。",
        "除夕": "{name}您好，除夕快乐！祝您阖家团圆，来年顺顺利利。",
        "春节": "{name}您好，新春快乐！祝您和家人身体健康、万事如意。",
        "元宵": "{name}您好，元宵节快乐，愿您团团圆圆、甜甜蜜蜜。",
        "劳动节": "{name}您好，劳动节快乐，假期好好休息一下。",
        "端午": "{name}您好，端午安康！",
        "七夕": "{name}您好，七夕快乐，愿您和家人甜甜蜜蜜。",
        "中秋": "{name}您好，中秋快乐！月圆人团圆，祝您全家幸福。",
        "国庆": "{name}您好，国庆快乐，假期出游注意安全。",
        "重阳": "{name}您好，重阳节到了，祝家里长辈身体健康、福寿安康。",
    },
}


def queries(ctx: PlanContext, cfg: Config) -> list:
    out = []
    for name in festivals_on(ctx.day):
        text = (cfg.get("texts") or {}).get(name)
        if text:
            occ = f"{name}:{ctx.day.year}"
            out.append(repo.everyone(ctx.sql, occ, renderer(text), {"festival": name}))
    return out
