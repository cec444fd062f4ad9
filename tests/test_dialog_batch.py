"""Turns that arrive together share one transaction (bot/dialog/batch.py): each person still
gets their own reply, their own conversation and their own ticket; one failing turn takes no
one else's reply with it; two messages from one person are answered in order."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import event
from test_dialog_helpers import reply, rows, say, seed_customer

from bot.context import build_services
from bot.dialog import sessions
from storage.models import ConversationSession, ServiceTicket
from tests.conftest import NOW, make_settings

BOOKING = "明天上午来修一下客厅的格力空调 不制冷 电话1381234{:04d}"
ADDRESS = "上海市浦东新区张江路{}号"


async def _book_together(services, users: list[str]) -> None:
    """Everyone books a repair at the same moment, answers the address, confirms."""
    asked = await asyncio.gather(
        *(say(services, BOOKING.format(i), u) for i, u in enumerate(users))
    )
    assert all("地址" in text for text in asked)
    summaries = await asyncio.gather(
        *(say(services, ADDRESS.format(i + 1), u) for i, u in enumerate(users))
    )
    for i, text in enumerate(summaries):
        assert (
            ADDRESS.format(i + 1) in text and f"1381234{i:04d}" in text
        )  # their own, no one else's
    done = await asyncio.gather(*(say(services, "确认", u) for u in users))
    assert all("R20261125-" in text for text in done)


async def test_forty_people_at_once_each_get_their_own_booking(services):
    users = [f"o-batch-{i:02d}" for i in range(40)]
    for u in users[:20]:  # half known already, half writing for the first time
        await seed_customer(services, u)
    await _book_together(services, users)
    tickets = await rows(services, ServiceTicket)
    assert len(tickets) == 40
    assert {t.phone for t in tickets} == {f"1381234{i:04d}" for i in range(40)}
    assert len({t.number for t in tickets}) == 40
    for u in users:  # each person's form is closed, nobody else's was touched
        state = await sessions.load(services, f"mp:{u}")
        assert "form" not in state


async def test_the_turns_of_a_crowd_share_transactions(services):
    """The point of batching, seen from the database: far fewer commits than messages."""
    commits = []
    engine = services.db.inline_engine or services.db.engine
    event.listen(engine.sync_engine, "commit", lambda conn: commits.append(1))
    users = [f"o-crowd-{i:02d}" for i in range(30)]
    replies = await asyncio.gather(*(say(services, "你好", u) for u in users))
    assert all(replies)
    assert len(commits) <= 5, f"{len(commits)} commits for 30 turns"


async def test_one_failing_turn_leaves_the_others_answered_and_saved(services, monkeypatch):
    from bot.dialog import engine

    real = engine.resolve

    def resolve(intent):
        target = real(intent)
        if intent != "greeting":
            return target

        async def fragile(turn):
            if turn.inbound.user_id == "o-bad":
                raise RuntimeError("a handler bug")
            return await target(turn)

        return fragile

    monkeypatch.setattr(engine, "resolve", resolve)
    users = ["o-ok-1", "o-bad", "o-ok-2", "o-ok-3"]
    results = await asyncio.gather(
        *(reply(services, "你好", u) for u in users), return_exceptions=True
    )
    assert isinstance(results[1], RuntimeError)
    for r in (results[0], results[2], results[3]):
        assert not isinstance(r, BaseException) and r.text
    saved = {row.user_key for row in await rows(services, ConversationSession)}
    assert {"mp:o-ok-1", "mp:o-ok-2", "mp:o-ok-3"} <= saved
    assert "mp:o-bad" not in saved


async def test_two_messages_from_one_person_are_answered_in_order(services):
    """Reaching the dialog together: the second is read with the form the first one opened
    (not with the state both found before either was answered)."""
    await say(services, "你好", "o-someone-else")  # the NLU is warm: messages parse in order
    first, second = await asyncio.gather(
        say(services, "我要报修", "o-twice"), say(services, "空调", "o-twice")
    )
    assert "？" in first or "?" in first
    state = await sessions.load(services, "mp:o-twice")
    assert state.get("form") == "repair", (first, second)
    assert (state["slots"].get("device") or {}).get("category") == "空调", (first, second)


async def test_batching_can_be_switched_off(settings):
    settings.dialog["batch_turns"] = False
    svc = build_services(settings, now=NOW)
    try:
        texts = await asyncio.gather(*(say(svc, "你好", f"o-solo-{i}") for i in range(5)))
        assert all(texts)
        assert "turn_batcher" not in svc.extras
    finally:
        await svc.close()


async def test_a_crowd_on_postgresql(pg_url):
    svc = build_services(make_settings(Path("unused.db"), database={"url": pg_url}), now=NOW)
    try:
        await _book_together(svc, [f"o-pg-{i:02d}" for i in range(12)])
        assert len(await rows(svc, ServiceTicket)) == 12
    finally:
        await svc.close()


async def test_one_who_stops_waiting_takes_no_one_elses_reply(services):
    await say(services, "你好", "o-warm")  # the NLU is warm: each message queues at once
    waiting = [asyncio.create_task(reply(services, "我要报修", f"o-wait-{i}")) for i in range(5)]
    await asyncio.sleep(0)  # all five are queued for the same batch
    waiting[2].cancel()  # e.g. the request went away
    results = await asyncio.gather(*waiting, return_exceptions=True)
    assert isinstance(results[2], asyncio.CancelledError)
    for i in (0, 1, 3, 4):
        assert results[i].text and "？" in results[i].text
    # the turn itself was answered and kept: the form is open for that person too
    assert (await sessions.load(services, "mp:o-wait-2")).get("form") == "repair"


async def test_a_second_worker_starts_only_when_more_wait_than_one_batch_takes(
    services, monkeypatch
):
    """PostgreSQL's batcher: one worker while it keeps up (bigger batches, fewer round
    trips); a held-up batch gets a spare worker once a whole batch's worth is waiting."""
    from bot.dialog import batch, engine
    from bot.messages import Inbound, Reply
    from bot.nlu import Parse

    gate, batches = asyncio.Event(), []

    async def answer(_services, items):
        batches.append(len(items))
        if len(batches) == 1:
            await gate.wait()  # the first batch is held (a lock another process holds)
        return [Reply(text=f"好的 {inbound.user_id}") for inbound, _ in items]

    monkeypatch.setattr(engine, "respond_together", answer)
    batcher = batch.TurnBatcher(services, workers=4)

    def turn(i: int):
        inbound = Inbound(
            channel="mp", account="wx", user_id=f"o-{i}", kind="text", received_at=NOW, text="你好"
        )
        return asyncio.ensure_future(batcher.submit(inbound, Parse("你好", "greeting", 1.0)))

    async def settle() -> None:
        for _ in range(5):
            await asyncio.sleep(0)

    held = turn(0)
    await settle()
    waiting = [turn(i) for i in range(1, batch.SPARE_AFTER)]  # one short of a whole batch
    await settle()
    assert batches == [1] and not any(t.done() for t in waiting)  # they wait for the worker
    waiting.append(turn(batch.SPARE_AFTER))  # now a whole batch waits: a spare worker
    await asyncio.wait_for(asyncio.gather(*waiting), 2)
    assert batches == [1, batch.SPARE_AFTER] and not held.done()
    gate.set()
    assert (await held).text == "好的 o-0"
    assert [t.result().text for t in waiting] == [
        f"好的 o-{i}" for i in range(1, batch.SPARE_AFTER + 1)
    ]
