"""When a group post should go: 明天上午10点, 今天下午3点半, 11月30日 9:00, 2026-11-30 10:00, 现在.

``parse_when(text, now)`` reads a time at the start of ``text`` and returns (aware local
datetime, the rest of the text), or (None, text). Falls back to bot.nlu's ``datetime``
entity when that is available and the prefix is not one of these shapes."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from bot.nlu.numerals import to_int

_DAY = {"今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2}
_PM = ("下午", "晚上", "傍晚")

_TIME = r"(?:(早上|上午|中午|下午|晚上|傍晚)\s*)?(\d{1,2}|[一二两三四五六七八九十]{1,3})\s*(?:[点:时]\s*(半|\d{1,2})?\s*分?)"
_PATTERNS = [
    re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:\s*T\s*|\s+)(\d{1,2}):(\d{2})"),
    re.compile(r"(?:(\d{1,2})月(\d{1,2})[日号]|(今天|今日|明天|明日|后天))\s*" + _TIME),
]


def _cn(n: str) -> int:
    value = to_int(n)
    if value is None:
        raise ValueError(f"not a number: {n!r}")
    return value


def parse_when(text: str, now: datetime) -> tuple[datetime | None, str]:
    """``now`` is aware, in the local zone."""
    t = text.strip()
    if m := re.match(r"(现在|立即|马上|立刻)\s*", t):
        return now, t[m.end() :].strip()
    if m := _PATTERNS[0].match(t):
        y, mo, d, hh, mm = (int(x) for x in m.groups())
        try:
            return now.replace(
                year=y, month=mo, day=d, hour=hh, minute=mm, second=0, microsecond=0
            ), t[m.end() :].strip()
        except ValueError:
            return None, text
    if m := _PATTERNS[1].match(t):
        month, day, rel, part, hour, minute = m.groups()
        if rel is not None:
            target: date = now.date() + timedelta(days=_DAY[rel])
        else:
            try:
                target = date(now.year, int(month), int(day))
            except ValueError:
                return None, text
            if target < now.date():
                target = date(now.year + 1, target.month, target.day)
        h = _cn(hour)
        if part in _PM and h < 12:
            h += 12
        if part == "中午" and h < 6:
            h += 12
        mi = 30 if minute == "半" else int(minute or 0)
        if h > 23 or mi > 59:
            return None, text
        at = datetime(target.year, target.month, target.day, h, mi, tzinfo=now.tzinfo)
        return at, t[m.end() :].strip()
    return _nlu_fallback(t, now)


def _nlu_fallback(text: str, now: datetime) -> tuple[datetime | None, str]:
    """bot.nlu's datetime entity, when it starts the text and names a time of day."""
    try:
        from bot.nlu import parse

        entities = parse(text, now=now, tz=now.tzinfo).entities
    except Exception:  # noqa: BLE001 - the NLU is optional here
        return None, text
    for ent in entities:
        if ent.type != "datetime" or not text.startswith(ent.text) or "T" not in ent.value:
            continue
        try:
            at = datetime.fromisoformat(ent.value)
        except ValueError:
            return None, text
        if at.tzinfo is None:
            at = at.replace(tzinfo=now.tzinfo)
        return at.astimezone(now.tzinfo), text[len(ent.text) :].strip()
    return None, text
