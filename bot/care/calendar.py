"""Festival and solar-term dates, from lunar-python (the lunar calendar is not computed here).

除夕 is the day before 春节 — the last day of the twelfth lunar month, which is the 29th in
some years (2026: 腊月廿九, 16 February)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from lunar_python import Lunar, Solar

SOLAR_FESTIVALS = {"元旦": (1, 1), "劳动节": (5, 1), "国庆": (10, 1)}
LUNAR_FESTIVALS = {
    "春节": (1, 1),
    "元宵": (1, 15),
    "端午": (5, 5),
    "七夕": (7, 7),
    "中秋": (8, 15),
    "重阳": (9, 9),
    "腊八": (12, 8),
}
FESTIVALS = (
    "元旦",
    "腊八",
    "除夕",
    "春节",
    "元宵",
    "劳动节",
    "端午",
    "七夕",
    "中秋",
    "国庆",
    "重阳",
)


def _lunar(year: int, month: int, day: int) -> date:
    s = Lunar.fromYmd(year, month, day).getSolar()
    return date(s.getYear(), s.getMonth(), s.getDay())


@lru_cache(maxsize=16)
def festivals(year: int) -> dict[str, date]:
    """Every festival falling in the Gregorian ``year``: name → date."""
    out: dict[str, date] = {n: date(year, m, d) for n, (m, d) in SOLAR_FESTIVALS.items()}
    for lunar_year in (year - 1, year):
        for name, (m, d) in LUNAR_FESTIVALS.items():
            day = _lunar(lunar_year, m, d)
            if day.year == year:
                out[name] = day
        eve = _lunar(lunar_year + 1, 1, 1) - timedelta(days=1)
        if eve.year == year:
            out["除夕"] = eve
    return out


def festivals_on(day: date) -> list[str]:
    return [n for n, d in festivals(day.year).items() if d == day]


@lru_cache(maxsize=16)
def solar_terms(year: int) -> dict[str, date]:
    """The 24 节气 of the Gregorian ``year``: name → date (Beijing time)."""
    out: dict[str, date] = {}
    day = date(year, 1, 1)
    while day.year == year:
        name = Solar.fromYmd(day.year, day.month, day.day).getLunar().getJieQi()
        if name:
            out[name] = day
        day += timedelta(days=1)
    return out


def solar_term_on(day: date) -> str | None:
    for name, d in solar_terms(day.year).items():
        if d == day:
            return name
    return None
