"""退订 / TD / 订阅: care messages off and on, all or one kind, the reply says which."""

from __future__ import annotations

from test_dialog_helpers import rows, say, seed_customer

from storage.models import OptOut


async def _kinds(services) -> set[str]:
    return {o.kind for o in await rows(services, OptOut)}


async def test_td_stops_all_care_messages(services):
    await seed_customer(services)
    answer = await say(services, "TD")
    assert "所有关怀消息" in answer and "订阅" in answer
    assert await _kinds(services) == {"all"}


async def test_unsubscribing_festival_greetings_only(services):
    answer = await say(services, "退订节日祝福")
    assert "节日祝福" in answer and "其他消息照常" in answer
    assert await _kinds(services) == {"festival"}


async def test_unsubscribing_reminders_only(services):
    await say(services, "退订提醒")
    assert await _kinds(services) == {"reminder"}


async def test_unsubscribing_twice_keeps_one_row(services):
    await say(services, "退订")
    await say(services, "退订")
    assert len(await rows(services, OptOut)) == 1


async def test_subscribe_turns_everything_back_on(services):
    await say(services, "退订节日")
    await say(services, "退订提醒")
    answer = await say(services, "订阅")
    assert "恢复所有关怀消息" in answer
    assert await _kinds(services) == set()


async def test_subscribe_one_kind_after_stopping_all(services):
    await say(services, "TD")
    answer = await say(services, "订阅节日祝福")
    assert "节日祝福" in answer
    assert await _kinds(services) == {"reminder"}


async def test_subscribe_when_nothing_was_off(services):
    assert "一直是开着的" in await say(services, "订阅")
