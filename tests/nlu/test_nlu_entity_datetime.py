"""now = Wednesday 2026-11-25 10:00 Asia/Shanghai."""

from datetime import datetime

import pytest
from nlu_helpers import SHANGHAI, first, values

from bot.nlu.entities.datetime import is_past

AM = "T09:00:00+08:00/{d}T12:00:00+08:00"
PM = "T13:00:00+08:00/{d}T18:00:00+08:00"
EVE = "T18:00:00+08:00/{d}T22:00:00+08:00"


def rng(d: str, part: str) -> str:
    return d + part.format(d=d)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("今天", "2026-11-25"),
        ("明天来", "2026-11-26"),
        ("明儿个", "2026-11-26"),
        ("后天", "2026-11-27"),
        ("大后天", "2026-11-28"),
        ("昨天", "2026-11-24"),
        ("周六", "2026-11-28"),
        ("星期天", "2026-11-29"),
        ("礼拜一", "2026-11-30"),  # Monday this week is over: the next one
        ("周三", "2026-11-25"),  # today
        ("这周一", "2026-11-23"),  # this week's, even if past
        ("下周三", "2026-12-02"),
        ("下个星期五", "2026-12-04"),
        ("下下周一", "2026-12-07"),
        ("这周末", "2026-11-28/2026-11-29"),
        ("周末有空", "2026-11-28/2026-11-29"),
        ("下周末", "2026-12-05/2026-12-06"),
        ("3月5号", "2026-03-05"),
        ("12月3日", "2026-12-03"),
        ("十二月三号", "2026-12-03"),
        ("2026-12-10", "2026-12-10"),
        ("2027年1月2日", "2027-01-02"),
        ("28号", "2026-11-28"),
        ("5号", "2026-12-05"),  # the 5th of this month is past: next month's
        ("三十号", "2026-11-30"),
        ("下个月3号", "2026-12-03"),
        ("下月十号上午", rng("2026-12-10", AM)),
        ("3天后", "2026-11-28"),
        ("两天以后下午", rng("2026-11-27", PM)),
    ],
)
def test_days(text, expected):
    assert values(text, "datetime") == [expected]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("明天上午", rng("2026-11-26", AM)),
        ("明天早上", rng("2026-11-26", AM)),
        ("明早", rng("2026-11-26", AM)),
        ("后天下午", rng("2026-11-27", PM)),
        ("今晚", rng("2026-11-25", EVE)),
        ("周五晚上", rng("2026-11-27", EVE)),
        ("下午", rng("2026-11-25", PM)),
        ("周四中午", "2026-11-26T11:00:00+08:00/2026-11-26T13:00:00+08:00"),
        ("5号下午两点", "2026-12-05T14:00:00+08:00"),
        ("10点半", "2026-11-25T10:30:00+08:00"),
        ("明天下午3点", "2026-11-26T15:00:00+08:00"),
        ("明天下午三点半", "2026-11-26T15:30:00+08:00"),
        ("后天晚上7点", "2026-11-27T19:00:00+08:00"),
        ("今晚八点", "2026-11-25T20:00:00+08:00"),
        ("中午12点", "2026-11-25T12:00:00+08:00"),
        ("中午1点", "2026-11-25T13:00:00+08:00"),
        ("上午十点一刻", "2026-11-25T10:15:00+08:00"),
        ("两点", "2026-11-25T14:00:00+08:00"),  # a bare 1–6 o'clock is the afternoon
        ("8点", "2026-11-25T20:00:00+08:00"),  # 8 this morning is gone: tonight
        ("明天8点", "2026-11-26T08:00:00+08:00"),
        ("11月30日 14:00", "2026-11-30T14:00:00+08:00"),
        ("下午两点到四点", "2026-11-25T14:00:00+08:00/2026-11-25T16:00:00+08:00"),
        ("明天9点-11点", "2026-11-26T09:00:00+08:00/2026-11-26T11:00:00+08:00"),
        ("12月5号上午", rng("2026-12-05", AM)),
        ("修热水器 28号 下午", rng("2026-11-28", PM)),
        ("2026-12-10 上午", rng("2026-12-10", AM)),
        ("下午2:30", "2026-11-25T14:30:00+08:00"),
        ("晚上八点四十", "2026-11-25T20:40:00+08:00"),
        ("凌晨两点", "2026-11-25T02:00:00+08:00"),
        ("明晚12点", "2026-11-27T00:00:00+08:00"),
    ],
)
def test_times_and_parts_of_the_day(text, expected):
    assert values(text, "datetime") == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "快一点",
        "便宜一点吧",
        "5号楼301室",
        "张杨路1200弄5号",
        "三号线地铁口",
        "一周一次",
        "两个小时",
        "型号KFR-35GW",
        "13812345678",
    ],
)
def test_not_times(text):
    assert values(text, "datetime") == []


def test_past_is_recognised():
    assert is_past(first("昨天约的", "datetime"))
    assert is_past(first("今天早上8点", "datetime"))
    assert is_past(first("3月5号买的", "datetime"))
    assert not is_past(first("今天下午", "datetime"))
    assert not is_past(first("明天", "datetime"))
    assert not is_past(first("今天", "datetime"))  # the day is not over


def test_extra_carries_start_and_end():
    e = first("明天上午", "datetime")
    assert e.extra["kind"] == "range"
    assert e.extra["start"] == datetime(2026, 11, 26, 9, tzinfo=SHANGHAI)
    assert e.extra["end"] == datetime(2026, 11, 26, 12, tzinfo=SHANGHAI)
    assert e.text == "明天上午"


def test_resolved_in_the_local_zone_whatever_now_is_given_in():
    from datetime import UTC

    late_utc = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)  # 01:00 on the 26th in Shanghai
    assert values("明天", "datetime", now=late_utc) == ["2026-11-27"]


def test_traditional_and_full_width_input():
    assert values("明天下午３點", "datetime") == ["2026-11-26T15:00:00+08:00"]
