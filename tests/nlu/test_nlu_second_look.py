"""Fixes found with the second held-out set and helper requests: what a customer would notice."""

import pytest
from nlu_helpers import first, values

from bot.nlu import numerals, parse
from bot.nlu.normalize import canonical, for_intent


def test_a_phone_said_in_chinese_digits_is_found():
    assert values("我号码是一三九零零零零一一一一 打给我", "phone") == ["13900001111"]
    assert values("幺三八一二三四五六七八", "phone") == ["13812345678"]


def test_a_count_of_machines_at_home_is_no_address():
    assert first("家里三台空调都要洗", "address") is None
    assert values("家里三台空调都要洗", "quantity") == ["3"]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("两千五", 2500),
        ("三千五", 3500),
        ("一万二", 12000),
        ("一百五", 150),
        ("两千零五", 2005),
        ("十五", 15),
    ],
)
def test_spoken_amounts(text, value):
    assert numerals.to_int(text) == value


@pytest.mark.parametrize("text", ["油烟机是老板的", "老板", "老板的", "老板油烟机"])
def test_laoban_the_range_hood_brand(text):
    assert values(text, "brand") == ["老板"]


def test_laoban_the_boss_is_no_brand():
    assert first("让你们老板来", "brand") is None
    assert parse("老板").intent != "trade_in"


def test_pinyin_shorthand_reads_as_words():
    assert for_intent("kf在吗").startswith("客服")
    assert parse("3q3q").intent == "thanks"
    assert first("3q3q", "model") is None


def test_star_ratings_keep_their_length_and_read_as_stars():
    assert canonical("⭐⭐⭐ 还行") == "星星星 还行"
    assert parse("⭐⭐⭐⭐ 还行吧 就是有点慢").intent != "repair"


@pytest.mark.parametrize("text", ["跳过", "没有发票", "行 就申请吧"])
def test_bare_form_answers_are_no_request(text):
    assert parse(text).intent not in ("complaint", "warranty", "repair")


def test_praise_with_a_rating_is_thanks():
    assert parse("给个好评 师傅人蛮好的").intent == "thanks"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("上个月20号买的", "2026-10-20"),
        ("这个月28号", "2026-11-28"),
        ("下个月3号来装", "2026-12-03"),
    ],
)
def test_a_day_of_last_this_or_next_month(text, value):
    assert values(text, "datetime") == [value]
