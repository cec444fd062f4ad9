"""Shared by the NLU tests: a fixed now (Wednesday 25 November 2026, 10:00 Shanghai)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.nlu import Entity, parse

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)


def values(text: str, type_: str, now: datetime = NOW) -> list[str]:
    return [e.value for e in parse(text, now=now, tz=SHANGHAI).entities if e.type == type_]


def first(text: str, type_: str, now: datetime = NOW) -> Entity | None:
    return parse(text, now=now, tz=SHANGHAI).first(type_)
