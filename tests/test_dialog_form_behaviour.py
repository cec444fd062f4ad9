"""Forms that follow the customer (issue 21): a side question mid-form is answered and the
form resumes; 「考虑一下」 ends it politely and keeps what was said; two misses move on
instead of looping; the same question is never sent twice in a row word for word; a laugh
is not a yes."""

from __future__ import annotations

from test_dialog_helpers import rows, say

from storage.models import Handoff, ServiceTicket

NO_TIME = "修一下客厅的格力空调 不制冷 电话13812345678"
ADDRESS = "上海市浦东新区张江路88弄3号501室"


async def test_a_side_question_mid_booking_is_answered_not_taken_as_the_time(services):
    await say(services, NO_TIME)
    side = await say(services, "你们周末上门吗")
    assert "周末也行" in side  # the question is answered…
    assert "接着刚才的报修" in side  # …and the booking's question comes back
    summary = await say(services, ADDRESS)
    assert "核对" not in summary  # the time was never filled by the question
    assert "时间" in summary or "什么时候" in summary


async def test_weekend_said_as_an_answer_fills_the_time(services):
    await say(services, NO_TIME)
    await say(services, "周末上门吧")
    summary = await say(services, ADDRESS)
    assert "核对" in summary and "11月28日(周六)" in summary


async def test_think_it_over_ends_the_form_politely_and_keeps_what_was_said(services):
    await say(services, NO_TIME)
    await say(services, ADDRESS)
    later = await say(services, "考虑一下")
    assert "不着急" in later and "记着" in later and "报修" in later
    assert "已取消" not in later
    assert await rows(services, ServiceTicket) == []
    # nothing is pending now: a bare address is not taken as an answer
    assert "核对" not in await say(services, "好的")
    # picked up again: the address and phone are still known, nothing is asked twice
    back = await say(services, "修空调")
    assert "接着刚才" in back
    assert "地址" not in back and "电话" not in back  # only the time is still missing
    done = await say(services, "周六上午吧")
    assert "核对" in done and "11月28日(周六)" in done
    assert ADDRESS in done and "13812345678" in done


async def test_two_misses_on_a_needed_answer_offer_a_person_and_yes_takes_it(services):
    await say(services, NO_TIME)
    first = await say(services, "你喜欢什么颜色")
    second = await say(services, "晚饭吃啥")
    assert second != first
    assert "人工" in second and "没太明白" in second
    assert "请问上门地址" not in second  # not the same question a third time
    assert await rows(services, Handoff) == []
    took = await say(services, "是")
    assert "稍等" in took or "同事" in took
    assert len(await rows(services, Handoff)) == 1


async def test_a_laugh_after_the_offer_of_a_person_is_not_a_yes(services):
    await say(services, NO_TIME)
    await say(services, "你喜欢什么颜色")
    await say(services, "晚饭吃啥")
    await say(services, "哈哈")
    assert await rows(services, Handoff) == []


async def test_two_misses_on_an_optional_question_let_it_go(services):
    await say(services, "空调坏了 想约师傅")  # no fault said: 「什么问题」 is asked (optional)
    first = await say(services, "你喜欢什么颜色")
    moved = await say(services, "晚饭吃啥")
    assert moved != first
    assert "先跳过" in moved and "地址" in moved  # the form moved on to the next question


async def test_the_same_question_is_never_sent_twice_in_a_row(services):
    await say(services, "家里的冰箱想以旧换新")
    replies = [await say(services, text) for text in ("嗯", "嗯嗯", "哦", "好")]
    for before, after in zip(replies, replies[1:], strict=False):
        assert before != after, replies


async def test_trade_in_answers_in_the_customers_own_order_are_all_kept(services):
    await say(services, "我想以旧换新")
    # asked for the old appliance, told brand, category and age at once
    nxt = await say(services, "海尔的冰箱 用了8年了")
    assert "几年" not in nxt and "牌子" not in nxt
    assert "正常使用" in nxt
    # asked whether it works, told how it looks: kept, and the question stands
    looks = await say(services, "外观还行")
    assert "外观成色记下了" in looks and "正常使用" in looks
    # 「还行」 about the looks did not answer whether it works
    works = await say(services, "能用")
    assert "成色" not in works  # not asked again: 外观还行 was kept
    assert "冰箱" in works  # on to the new appliance


async def test_a_question_about_another_service_mid_booking_keeps_the_booking(services):
    await say(services, "我家空调不制冷了")
    held = await say(services, "滤芯多少钱")
    assert "接着刚才的报修" in held and "地址" in held
    assert "先不报修" not in held and "没问清楚" not in held
    again = await say(services, "以旧换新怎么算")
    assert "接着刚才的报修" in again
    done = await say(services, f"{ADDRESS} 明天上午 电话13812345678")
    assert "核对" in done and ADDRESS in done
