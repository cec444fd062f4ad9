"""Short messages recur (你好, 谢谢, 人工): their parse is kept and reused — but never one
that holds a date or time, which is resolved against the moment it was said."""

from __future__ import annotations

from datetime import timedelta

from nlu_helpers import NOW, SHANGHAI

from bot.nlu import current_pipeline, parse


def test_a_repeated_short_message_is_parsed_once_and_each_caller_gets_its_own_copy():
    first = parse("在吗 你好呀", now=NOW, tz=SHANGHAI)
    again = parse("在吗 你好呀", now=NOW + timedelta(days=3), tz=SHANGHAI)
    assert "在吗 你好呀" in current_pipeline()._recent
    assert (again.intent, again.confidence, again.entities) == (
        first.intent,
        first.confidence,
        first.entities,
    )
    again.intent, again.confidence = "repair", 1.0  # the dialog renames a parse it was given
    third = parse("在吗 你好呀", now=NOW, tz=SHANGHAI)
    assert (third.intent, third.confidence) == (first.intent, first.confidence)


def test_a_message_with_a_date_resolves_against_the_moment_it_is_said():
    today = parse("明天上午来修", now=NOW, tz=SHANGHAI).first("datetime")
    next_week = parse("明天上午来修", now=NOW + timedelta(days=7), tz=SHANGHAI).first("datetime")
    assert "明天上午来修" not in current_pipeline()._recent
    assert today is not None and next_week is not None
    assert today.value != next_week.value  # 明天 is another day a week later


def test_a_long_message_is_not_kept():
    text = "我家的空调用了好几年了最近一开机就滴水还有异响麻烦安排师傅看一下"
    parse(text, now=NOW, tz=SHANGHAI)
    assert text not in current_pipeline()._recent


def test_dated_messages_that_mask_alike_share_the_classifiers_verdict_not_their_dates():
    tomorrow = parse("明天上午来吧", now=NOW, tz=SHANGHAI)
    saturday = parse("周六上午来吧", now=NOW, tz=SHANGHAI)
    assert (tomorrow.intent, tomorrow.confidence) == (saturday.intent, saturday.confidence)
    assert tomorrow.first("datetime").value != saturday.first("datetime").value
    assert len(current_pipeline()._classified) >= 1
