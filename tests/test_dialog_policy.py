"""Issue 14: understanding that knows when it does not understand. Through the dialog (the
path of the webhook and `wxbot chat`): acknowledgements are thanked, a denied complaint is
answered, a half-sure opt-out gets one question, explicit requests work at once, messages
for somebody else change nothing."""

from __future__ import annotations

import pytest
from test_dialog_helpers import rows, say, seed_customer, seed_staff

from storage.models import Handoff, OptOut, OutboxMessage, ServiceTicket


async def _nothing_changed(services) -> None:
    assert await rows(services, OptOut) == []
    assert await rows(services, Handoff) == []
    assert await rows(services, ServiceTicket) == []


@pytest.mark.parametrize(
    "text", ["收到", "收到了 谢谢", "谢谢祝福", "同乐同乐", "新年快乐", "[微笑]"]
)
async def test_a_reply_to_a_care_message_is_thanked_and_keeps_care_messages(services, text):
    said = await say(services, text)
    assert "谢谢" in said
    assert "退订" not in said and "关闭" not in said and "没太明白" not in said
    await _nothing_changed(services)


async def test_acknowledgements_in_a_row_are_never_offered_a_person(services):
    await say(services, "收到")
    said = await say(services, "好的 知道了")
    assert "人工" not in said
    assert await rows(services, Handoff) == []


async def test_i_am_not_complaining_just_asking_gets_an_answer_not_a_hand_off(services):
    await seed_staff(services)
    said = await say(services, "我不是要投诉 就是问问")
    assert said and "抱歉给您带来不好的体验" not in said and "已通知" not in said
    assert "直接问我" in said  # the denial is heard: "ask me anything", not "not understood"
    assert await rows(services, Handoff) == []
    assert await rows(services, OutboxMessage) == []


async def test_no_need_to_unsubscribe_changes_nothing(services):
    said = await say(services, "不用退订")
    assert "已为您关闭" not in said
    assert await rows(services, OptOut) == []


async def test_a_half_sure_unsubscribe_gets_one_question_and_yes_completes_it(services):
    asked = await say(services, "天天推送烦死了")
    assert "退订" in asked and "是" in asked
    assert await rows(services, OptOut) == []
    done = await say(services, "是")
    assert "已为您关闭" in done
    assert len(await rows(services, OptOut)) == 1


async def test_the_question_waits_for_one_message_only(services):
    await say(services, "天天推送烦死了")
    await say(services, "空调多少钱能清洗")
    await say(services, "是")
    assert await rows(services, OptOut) == []


@pytest.mark.parametrize("text", ["退订", "TD", "别再发了", "不要再推送了"])
async def test_an_explicit_unsubscribe_works_at_once(services, text):
    said = await say(services, text)
    assert "已为您关闭" in said
    assert len(await rows(services, OptOut)) == 1


async def test_a_complaint_with_what_happened_alerts_the_store(services):
    await seed_customer(services, "u1", name="王阿姨")
    await seed_staff(services)
    said = await say(services, "我要投诉 师傅迟到两小时")
    assert "抱歉" in said
    [handoff] = await rows(services, Handoff)
    assert handoff.kind == "complaint"
    assert any("投诉" in m.text and "迟到" in m.text for m in await rows(services, OutboxMessage))


async def test_zhuan_rengong_hands_off(services):
    said = await say(services, "转人工")
    assert any(w in said for w in ("人工", "同事", "工作人员"))
    [handoff] = await rows(services, Handoff)
    assert handoff.kind == "human_agent"


@pytest.mark.parametrize("text", ["给孟南发短信", "打开江苏卫视", "恋爱这东西很玄虚"])
async def test_messages_for_somebody_else_change_nothing(services, text):
    said = await say(services, text)
    assert said
    assert "已为您关闭" not in said and "已为您恢复" not in said and "抱歉给您带来" not in said
    await _nothing_changed(services)


async def test_the_chat_of_issue_14_changes_nothing(services):
    for text in ("给孟南发短信", "打开江苏卫视", "恋爱这东西很玄虚"):
        await say(services, text)
    await _nothing_changed(services)
    said = await say(services, "空调不制冷了")  # the bot is not silenced by a false hand-off
    assert said


async def test_the_neighbours_broken_heater_starts_no_repair(services):
    said = await say(services, "我邻居家的热水器坏了 跟我没关系")
    assert "地址" not in said and "电话" not in said
    assert "报修" in said  # says what it can do for the customer's own appliance
    await say(services, "明天上午 电话13812345678 上海市浦东新区张江路88弄3号501室")
    assert await rows(services, ServiceTicket) == []


async def test_a_real_repair_still_starts_the_form(services):
    said = await say(services, "我家热水器坏了 不出热水")
    assert "？" in said or "?" in said
    assert "没太明白" not in said
