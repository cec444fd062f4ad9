"""``datetime``: dates, times and parts of the day, resolved against ``now`` in the local zone.

Values are ISO 8601:
  * a day                   "2026-11-26"
  * several days (周末)      "2026-11-28/2026-11-29"
  * a moment                "2026-11-26T14:00:00+08:00"
  * a part of the day       "2026-11-26T09:00:00+08:00/2026-11-26T12:00:00+08:00"

Parts of the day: 凌晨 00–06, 早上/上午 09–12, 中午 11–13, 下午 13–18, 傍晚 17–19,
晚上/今晚 18–22, 夜里 22–24. Resolution rules:
  * 周三 alone means the next one not yet over (this week's if today or later); 这周三 is this
    week's even if past; 下周三 next week's; 下下周 two weeks on; 上周 the week before.
  * 下个月5号 is the 5th of next month (上个月20号, 这个月28号 likewise); 3天后 is a day.
  * 5号 alone means the next 5th (this month if not yet past, else next month); 3月5号 without a
    year is this year's (and may be past: ``extra["past"]``).
  * a bare hour: 1–6 点 means the afternoon; 7–11 点 today that has gone by means the evening.
``extra`` holds ``kind`` (date, dates, point, range), ``start``/``end`` (aware datetimes) and
``past`` (True when the whole span lies before now) — see also :func:`is_past`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from bot.nlu.entities import Context
from bot.nlu.numerals import NUM, to_int
from bot.nlu.types import Entity

_PERIODS: dict[str, tuple[int, int]] = {
    "凌晨": (0, 6),
    "早上": (9, 12),
    "早晨": (9, 12),
    "清晨": (9, 12),
    "一早": (9, 12),
    "上午": (9, 12),
    "中午": (11, 13),
    "下午": (13, 18),
    "傍晚": (17, 19),
    "晚上": (18, 22),
    "晚间": (18, 22),
    "夜里": (22, 24),
    "夜间": (22, 24),
    # Cantonese
    "下昼": (13, 18),
    "朝早": (9, 12),
    "晏昼": (13, 18),
    "夜晚": (18, 22),
}
_PM_PERIODS = {"下午", "傍晚", "晚上", "晚间", "夜里", "夜间", "下昼", "晏昼", "夜晚"}
_REL_DAYS = {
    "大前天": -3,
    "前天": -2,
    "昨天": -1,
    "昨日": -1,
    "昨儿": -1,
    "今天": 0,
    "今日": 0,
    "今儿": 0,
    "明天": 1,
    "明日": 1,
    "明儿": 1,
    "后天": 2,
    "后日": 2,
    "大后天": 3,
    # Cantonese
    "听日": 1,
    "寻日": -1,
}
_FUSED = {  # one word, a day and a part of it
    "今早": (0, "早上"),
    "今晚": (0, "晚上"),
    "今夜": (0, "晚上"),
    "明早": (1, "早上"),
    "明晚": (1, "晚上"),
    "昨晚": (-1, "晚上"),
    "后晚": (2, "晚上"),
    # Cantonese
    "听朝": (1, "早上"),
    "听晚": (1, "晚上"),
    "今朝": (0, "早上"),
}
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 7}
_WEEKDAYS.update({str(i): i - 1 for i in range(1, 8)})
_WEEK_SHIFT = {None: None, "这": 0, "本": 0, "下": 1, "下下": 2, "上": -1}

_NOT_AFTER_NUM = r"(?<![0-9零〇一二两三四五六七八九十])"
_ATOMS = re.compile(
    # the leading lookahead lets the scan skip characters that cannot start a time (10× faster)
    r"(?=[0-9零〇一二两俩三四五六七八九十百千今明昨前后大下这本上个周星礼凌早清中傍晚夜听寻朝晏])(?:"
    + "|".join(
        [
            r"(?P<ymd>(?P<y>\d{4})[年\-/.](?P<ym>\d{1,2})[月\-/.](?P<yd>\d{1,2})[日号]?)",
            rf"(?P<nm>(?P<nmw>下个?月|上个?月|这个?月|本月)(?P<nmd>{NUM})[日号])",
            rf"(?P<md>(?P<mm>{NUM})月(?P<mdd>{NUM})[日号]?)",
            # a whole month: "明年3月", "12月份", "下个月"
            rf"(?P<mo>(?:(?P<moy>明年|今年)(?P<mom>{NUM})月份?|(?P<mom2>{NUM})月份)"
            r"(?![0-9零〇一二两三四五六七八九十]))",
            r"(?P<nmo>(?:下个?月)(?![0-9零〇一二两三四五六七八九十]))",
            rf"(?P<after>(?P<an>{NUM})天(?:以后|之后|后))",
            rf"(?P<d>(?<![路街弄巷道村区里第\-\d])(?P<dd>{NUM})[日号](?![0-9楼栋幢院门线室单元房铺机口仓店位床码台]))",
            r"(?P<fused>今早|今晚|今夜|明早|明晚|昨晚|后晚|听朝|听晚|今朝)",
            r"(?P<rel>大后天|大前天|今天|今日|今儿个?|明天|明日|明儿个?|后天|后日|昨天|昨日|昨儿|前天|听日|寻日)",
            rf"(?P<wk>(?P<wks>下下|下|这|本|上)?个?{_NOT_AFTER_NUM}(?:周|星期|礼拜)(?P<wkd>[一二三四五六日天末1-7]))",
            # a whole week or month gone by: "上个礼拜买的", "上个月", "前几天"
            r"(?P<lw>上个?(?:周|星期|礼拜)(?![一二三四五六日天末1-7]))",
            r"(?P<lm>上个?月(?![0-9零〇一二两三四五六七八九十]))",
            r"(?P<few>前(?:几|两|一两)天)",
            r"(?P<per>凌晨|早上|早晨|清晨|一早|上午|中午|下午|傍晚|晚上|晚间|夜里|夜间|下昼|朝早|晏昼|夜晚)",
            r"(?P<hm>(?<![\d:])(?P<hh>[01]?\d|2[0-3])[:：](?P<mi>[0-5]\d)(?![\d:]))",
            rf"(?P<clk>(?P<ch>{NUM})\s*(?:点钟?|时)(?:\s*(?P<cm>半|一刻|三刻|(?P<cmn>{NUM})分?))?)",
        ]
    )
    + ")"
)
MAX_ATOMS = 64  # dates, times and parts of the day read from one message, at most
_GLUE = re.compile(r"^[\s的,、]*$")
_RANGE_GLUE = re.compile(r"^\s*(?:到|至|-|~|～)\s*$")


@dataclass
class _Atom:
    kind: str  # day, per, clock
    start: int
    end: int
    day: date | None = None
    days: tuple[date, date] | None = None
    explicit_day: bool = True
    period: str | None = None
    hm: tuple[int, int] | None = None
    cn_clock: str = ""


def is_past(entity: Entity) -> bool:
    """True when a datetime entity lies wholly before the moment it was resolved against."""
    return bool(entity.extra.get("past"))


def _week_day(today: date, shift_word: str | None, idx: int) -> tuple[date, date] | date:
    monday = today - timedelta(days=today.weekday())
    if idx == 7:  # 周末
        shift = _WEEK_SHIFT.get(shift_word) or 0
        sat = monday + timedelta(days=5 + 7 * shift)
        return (sat, sat + timedelta(days=1))
    shift = _WEEK_SHIFT.get(shift_word)
    day = monday + timedelta(days=idx + 7 * (shift or 0))
    if shift is None and day < today:
        day += timedelta(days=7)
    return day


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _month(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return first, last


def _atom(m: re.Match[str], today: date) -> _Atom | None:
    s, e = m.start(), m.end()
    g = m.group
    if g("ymd"):
        d = _safe_date(int(g("y")), int(g("ym")), int(g("yd")))
        return _Atom("day", s, e, day=d) if d else None
    if g("nm"):
        dd = to_int(g("nmd"))
        first = today.replace(day=1)
        if g("nmw")[0] == "下":
            first = (first + timedelta(days=32)).replace(day=1)
        elif g("nmw")[0] == "上":
            first = (first - timedelta(days=1)).replace(day=1)
        d = _safe_date(first.year, first.month, dd) if dd else None
        return _Atom("day", s, e, day=d) if d else None
    if g("mo"):
        mm = to_int(g("mom") or g("mom2"))
        if not mm or mm > 12:
            return None
        year = today.year + (1 if g("moy") == "明年" else 0)
        if not g("moy") and mm < today.month:
            year += 1
        return _Atom("day", s, e, days=_month(year, mm))
    if g("nmo"):
        nxt = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
        return _Atom("day", s, e, days=_month(nxt.year, nxt.month))
    if g("after"):
        n = to_int(g("an"))
        return _Atom("day", s, e, day=today + timedelta(days=n)) if n and n <= 366 else None
    if g("md"):
        mm, dd = to_int(g("mm")), to_int(g("mdd"))
        d = _safe_date(today.year, mm, dd) if mm and dd else None
        return _Atom("day", s, e, day=d) if d else None
    if g("d"):
        dd = to_int(g("dd"))
        if not dd or dd > 31:
            return None
        d = _safe_date(today.year, today.month, dd)
        if d is None or d < today:
            nxt = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
            d = _safe_date(nxt.year, nxt.month, dd)
        return _Atom("day", s, e, day=d) if d else None
    if g("fused"):
        offset, period = _FUSED[g("fused")]
        return _Atom("day", s, e, day=today + timedelta(days=offset), period=period)
    if g("rel"):
        word = g("rel").rstrip("个")
        return _Atom("day", s, e, day=today + timedelta(days=_REL_DAYS[word]))
    if g("wk"):
        got = _week_day(today, g("wks"), _WEEKDAYS[g("wkd")])
        if isinstance(got, tuple):
            return _Atom("day", s, e, days=got)
        return _Atom("day", s, e, day=got)
    if g("lw"):
        monday = today - timedelta(days=today.weekday() + 7)
        return _Atom("day", s, e, days=(monday, monday + timedelta(days=6)))
    if g("lm"):
        last = today.replace(day=1) - timedelta(days=1)
        return _Atom("day", s, e, days=(last.replace(day=1), last))
    if g("few"):
        return _Atom("day", s, e, days=(today - timedelta(days=3), today - timedelta(days=1)))
    if g("per"):
        return _Atom("per", s, e, period=g("per"))
    if g("hm"):
        return _Atom("clock", s, e, hm=(int(g("hh")), int(g("mi"))))
    if g("clk"):
        h = to_int(g("ch"))
        if h is None or h > 24:
            return None
        cm, minute = g("cm"), 0
        if cm == "半":
            minute = 30
        elif cm == "一刻":
            minute = 15
        elif cm == "三刻":
            minute = 45
        elif g("cmn"):
            minute = to_int(g("cmn")) or 0
            if minute >= 60:
                return None
        cn = "" if g("ch").isdigit() or cm else g("ch")
        return _Atom("clock", s, e, hm=(h, minute), cn_clock=cn)
    return None


def _groups(atoms: list[_Atom], text: str) -> list[list[_Atom]]:
    groups: list[list[_Atom]] = []
    for a in atoms:
        if groups:
            g = groups[-1]
            gap = text[g[-1].end : a.start]
            kinds = [x.kind for x in g]
            fits = (
                (
                    a.kind == "day"
                    and "day" not in kinds
                    and "per" not in kinds
                    and "clock" not in kinds
                )
                or (
                    a.kind == "per"
                    and "per" not in kinds
                    and "clock" not in kinds
                    and not any(x.period for x in g)
                )
                or (a.kind == "clock" and kinds.count("clock") < 2)
            )
            if a.kind == "clock" and "clock" in kinds:
                fits = fits and bool(_RANGE_GLUE.match(gap))
            elif fits:
                fits = bool(_GLUE.match(gap))
            if fits:
                g.append(a)
                continue
        groups.append([a])
    return groups


def _hour(h: int, period: str | None) -> int:
    if period in ("晚上", "晚间", "夜里", "夜间") and h == 12:
        return 24  # midnight, the start of the next day
    if period in _PM_PERIODS and h < 12:
        return h + 12
    if period == "中午" and h <= 3:
        return h + 12
    return h


def _at(d: date, h: int, minute: int, tz: tzinfo) -> datetime:
    return datetime.combine(d, time(0, 0), tz) + timedelta(hours=h, minutes=minute)


def _resolve(group: list[_Atom], now: datetime, tz: tzinfo) -> tuple[str, dict] | None:
    today = now.date()
    day_atom = next((a for a in group if a.kind == "day"), None)
    period = next((a.period for a in group if a.period), None)
    clocks = [a for a in group if a.kind == "clock"]
    if (
        day_atom is None
        and period is None
        and clocks
        and clocks[0].cn_clock == "一"
        and len(clocks) == 1
    ):
        return None  # 快一点 / 便宜一点: not a time
    if day_atom and day_atom.days:
        d1, d2 = day_atom.days
        return f"{d1.isoformat()}/{d2.isoformat()}", {
            "kind": "dates",
            "start": _at(d1, 0, 0, tz),
            "end": _at(d2, 24, 0, tz),
        }
    day = day_atom.day if day_atom else today
    if clocks:
        points = []
        for c in clocks:
            h, minute = c.hm
            if period:
                h = _hour(h, period)
            elif 1 <= h <= 6:
                h += 12
            elif day_atom is None and h < 12 and _at(day, h, minute, tz) < now:
                h += 12
            points.append(_at(day, h, minute, tz))
        if len(points) == 2:
            start, end = points
            if end <= start:
                end += (
                    timedelta(hours=12) if end + timedelta(hours=12) > start else timedelta(days=1)
                )
            return f"{start.isoformat()}/{end.isoformat()}", {
                "kind": "range",
                "start": start,
                "end": end,
            }
        p = points[0]
        return p.isoformat(), {"kind": "point", "start": p, "end": p}
    if period:
        h1, h2 = _PERIODS[period]
        start, end = _at(day, h1, 0, tz), _at(day, h2, 0, tz)
        return f"{start.isoformat()}/{end.isoformat()}", {
            "kind": "range",
            "start": start,
            "end": end,
        }
    if day_atom:
        return day.isoformat(), {
            "kind": "date",
            "start": _at(day, 0, 0, tz),
            "end": _at(day, 24, 0, tz),
        }
    return None


def extract(ctx: Context) -> list[Entity]:
    now = ctx.now.astimezone(ctx.tz)
    today = now.date()
    atoms = []
    for m in _ATOMS.finditer(ctx.text):
        if ctx.overlaps(m.start(), m.end()):
            continue
        a = _atom(m, today)
        if a is not None:
            atoms.append(a)
            if len(atoms) == MAX_ATOMS:
                break  # "明天明天明天…": no message names more times than this
    out = []
    for group in _groups(atoms, ctx.text):
        got = _resolve(group, now, ctx.tz)
        if got is None:
            continue
        value, extra = got
        extra["past"] = extra["end"] <= now if extra["kind"] != "point" else extra["start"] < now
        out.append(ctx.entity("datetime", value, group[0].start, group[-1].end, extra))
    return out
