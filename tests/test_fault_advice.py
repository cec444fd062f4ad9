"""A question about a fault is answered from the knowledge base, not booked: the safe first
checks, when an engineer must come, and the offer; 「先别约」 is a no; a real booking still
books, and 「约师傅」 after the advice starts one."""

from __future__ import annotations

import pytest
from test_dialog_helpers import rows, say

from handlers.fault_advice import find, knowledge
from storage.models import ServiceTicket


async def test_a_diagnostic_question_gets_advice_not_a_booking(services):
    answer = await say(services, "冰箱冷藏室不冷了 但是冷冻还行 是不是要加氟")
    assert "化霜" in answer and "查漏点" in answer, answer
    assert "回复“约师傅”" in answer
    assert "安排师傅" not in answer
    # nothing was started: a following address is not taken as a booking's
    follow = await say(services, "好的 我先试试")
    assert "地址" not in follow and "什么时候" not in follow, follow
    assert await rows(services, ServiceTicket) == []


async def test_not_yet_is_a_no(services):
    answer = await say(services, "先别约 我就问问 洗衣机脱水的时候跳 自己能弄吗")
    assert answer.startswith("好的，先不约。"), answer
    assert "放平" in answer and "运输螺栓" in answer
    assert "什么时候" not in answer


async def test_after_the_advice_the_customer_can_book(services):
    await say(services, "油烟机吸力小 自己能弄吗")
    booking = await say(services, "约师傅")
    assert "安排师傅" in booking, booking


async def test_a_booking_is_still_a_booking(services):
    answer = await say(services, "空调不制冷 明天下午来修")
    assert "安排师傅" in answer and "化霜" not in answer, answer


@pytest.mark.parametrize(
    ("text", "categories", "category"),
    [
        ("冷藏室不冷了", ["冰箱"], "冰箱"),
        ("空调不冷了怎么回事", [], "空调"),
        ("热水器不出热水", [], "热水器"),
    ],
)
def test_the_fault_is_found_for_its_appliance(text, categories, category):
    fault = find(text, categories)
    assert fault is not None and fault.category == category


def test_an_ambiguous_fault_without_an_appliance_is_not_guessed():
    assert find("不冷了怎么回事", []) is None  # a fridge or an air conditioner?


def test_every_entry_says_what_to_check_and_when_to_call():
    entries = knowledge()
    assert len({f.category for f in entries}) >= 8
    for f in entries:
        assert f.words and f.check and f.engineer, f
        assert "师傅" in f.engineer, f  # always says when an engineer must come
