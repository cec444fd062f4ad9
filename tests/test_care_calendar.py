"""Festival and solar-term dates for 2025–2027 against a published table typed in by hand
(the official calendar as announced; not computed by the library under test)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.care.calendar import festivals, festivals_on, solar_term_on, solar_terms

FESTIVALS = {
    2025: {
        "元旦": "01-01",
        "腊八": "01-07",
        "除夕": "01-28",
        "春节": "01-29",
        "元宵": "02-12",
        "劳动节": "05-01",
        "端午": "05-31",
        "七夕": "08-29",
        "中秋": "10-06",
        "国庆": "10-01",
        "重阳": "10-29",
    },
    2026: {
        "元旦": "01-01",
        "腊八": "01-26",
        "除夕": "02-16",
        "春节": "02-17",
        "元宵": "03-03",
        "劳动节": "05-01",
        "端午": "06-19",
        "七夕": "08-19",
        "中秋": "09-25",
        "国庆": "10-01",
        "重阳": "10-18",
    },
    2027: {
        "元旦": "01-01",
        "腊八": "01-15",
        "除夕": "02-05",
        "春节": "02-06",
        "元宵": "02-20",
        "劳动节": "05-01",
        "端午": "06-09",
        "七夕": "08-08",
        "中秋": "09-15",
        "国庆": "10-01",
        "重阳": "10-08",
    },
}

TERMS = [
    "小寒",
    "大寒",
    "立春",
    "雨水",
    "惊蛰",
    "春分",
    "清明",
    "谷雨",
    "立夏",
    "小满",
    "芒种",
    "夏至",
    "小暑",
    "大暑",
    "立秋",
    "处暑",
    "白露",
    "秋分",
    "寒露",
    "霜降",
    "立冬",
    "小雪",
    "大雪",
    "冬至",
]
SOLAR_TERMS = {
    2025: [
        "01-05",
        "01-20",
        "02-03",
        "02-18",
        "03-05",
        "03-20",
        "04-04",
        "04-20",
        "05-05",
        "05-21",
        "06-05",
        "06-21",
        "07-07",
        "07-22",
        "08-07",
        "08-23",
        "09-07",
        "09-23",
        "10-08",
        "10-23",
        "11-07",
        "11-22",
        "12-07",
        "12-21",
    ],
    2026: [
        "01-05",
        "01-20",
        "02-04",
        "02-18",
        "03-05",
        "03-20",
        "04-05",
        "04-20",
        "05-05",
        "05-21",
        "06-05",
        "06-21",
        "07-07",
        "07-23",
        "08-07",
        "08-23",
        "09-07",
        "09-23",
        "10-08",
        "10-23",
        "11-07",
        "11-22",
        "12-07",
        "12-22",
    ],
    2027: [
        "01-05",
        "01-20",
        "02-04",
        "02-19",
        "03-06",
        "03-21",
        "04-05",
        "04-20",
        "05-06",
        "05-21",
        "06-06",
        "06-21",
        "07-07",
        "07-23",
        "08-08",
        "08-23",
        "09-08",
        "09-23",
        "10-08",
        "10-23",
        "11-07",
        "11-22",
        "12-07",
        "12-22",
    ],
}
# 2027 霜降 and 立冬 fall late in the evening Beijing time (about 23:33 and 23:39), which is
# why they are the 23rd and the 7th, not the 24th and 8th one might extrapolate.


@pytest.mark.parametrize("year", [2025, 2026, 2027])
def test_festival_dates_match_the_published_calendar(year):
    expected = {name: date.fromisoformat(f"{year}-{md}") for name, md in FESTIVALS[year].items()}
    assert festivals(year) == expected


def test_new_years_eve_2026_is_the_29th_of_the_twelfth_month():
    assert festivals_on(date(2026, 2, 16)) == ["除夕"]
    assert festivals_on(date(2026, 2, 17)) == ["春节"]
    assert festivals_on(date(2026, 2, 15)) == []


@pytest.mark.parametrize("year", [2025, 2026, 2027])
def test_solar_terms_match_the_published_calendar(year):
    expected = {
        t: date.fromisoformat(f"{year}-{md}")
        for t, md in zip(TERMS, SOLAR_TERMS[year], strict=True)
    }
    assert solar_terms(year) == expected


def test_solar_term_on_a_day():
    assert solar_term_on(date(2026, 12, 22)) == "冬至"
    assert solar_term_on(date(2026, 12, 23)) is None
