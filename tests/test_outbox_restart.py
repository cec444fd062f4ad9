"""A dispatcher stopped mid-batch and restarted loses nothing and sends nothing twice."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.outbox import dispatch_due
from storage.models import OutboxMessage
from storage.repos import outbox as repo

pytest_plugins = ["tests.fakes.fixtures"]

KF = "/cgi-bin/message/custom/send"


async def enqueue_many(services, n, kind="reply"):
    async with services.db.transaction() as s:
        for i in range(n):
            await repo.enqueue(
                s,
                channel="mp_kf",
                recipient=f"o{i}",
                text=f"msg {i}",
                kind=kind,
                not_before=services.clock.now(),
            )


async def statuses(services) -> Counter:
    async with services.db.session() as s:
        return Counter((await s.scalars(select(OutboxMessage.status))).all())


async def test_cancelled_mid_batch_then_restarted(live_services, fake_wechat):
    live_services.settings.care["outbox"] = {"concurrency": 4}
    await enqueue_many(live_services, 20)
    fake_wechat.script(KF, [{"delay": 0.3}] * 4)  # the first four sends hang a while
    task = asyncio.create_task(dispatch_due(live_services))
    for _ in range(500):  # until four sends are in flight (bounded)
        if len(fake_wechat.calls(KF)) >= 4:
            break
        await asyncio.sleep(0.01)
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass
    after_kill = await statuses(live_services)
    assert after_kill == Counter({"sent": 4, "pending": 16})  # in-flight finished, rest released
    await dispatch_due(live_services)
    assert await statuses(live_services) == Counter({"sent": 20})
    sent_to = Counter(c.json["touser"] for c in fake_wechat.calls(KF))
    assert sent_to == Counter({f"o{i}": 1 for i in range(20)})


async def test_a_row_left_sending_by_a_dead_process_is_retried_after_the_lease(
    live_services, fake_wechat
):
    await enqueue_many(live_services, 1, kind="service")
    now = live_services.clock.now()
    async with live_services.db.transaction() as s:  # a process claims, then dies
        [claimed] = await repo.claim(s, now, limit=10, lease_s=300)
    await dispatch_due(live_services)
    assert fake_wechat.calls(KF) == []  # still leased
    live_services.clock.freeze(now + timedelta(seconds=301))
    await dispatch_due(live_services)
    assert await statuses(live_services) == Counter({"sent": 1})
    assert len(fake_wechat.calls(KF)) == 1


async def test_a_greeting_claimed_but_never_tried_by_a_dead_process_is_still_sent(
    live_services, fake_wechat
):
    """Picked up, then the process died before trying it: nothing went out, so it goes now
    (it used to become a dead letter "outcome unknown": greetings never sent)."""
    await enqueue_many(live_services, 1, kind="festival")
    now = live_services.clock.now()
    async with live_services.db.transaction() as s:
        await repo.claim(s, now, limit=10, lease_s=300)
    live_services.clock.freeze(now + timedelta(seconds=301))
    await dispatch_due(live_services)
    assert await statuses(live_services) == Counter({"sent": 1})
    assert len(fake_wechat.calls(KF)) == 1


@pytest.mark.parametrize(
    ("kind", "after", "sends"),
    [
        ("festival", "dead", 0),  # a duplicate greeting is worse than a missed one
        ("notice", "dead", 0),  # a ticket notice: for a person to check, so it arrives once
        ("reply", "sent", 1),  # someone waits for the answer: at-least-once
    ],
)
async def test_a_row_killed_mid_send_is_resolved_by_its_kind(
    live_services, fake_wechat, kind, after, sends
):
    await enqueue_many(live_services, 1, kind=kind)
    now = live_services.clock.now()
    async with live_services.db.transaction() as s:  # claimed, send started, then kill -9
        [row] = await repo.claim(s, now, limit=10, lease_s=300)
        await repo.mark_started(s, [row.id], row.not_before, now)
    live_services.clock.freeze(now + timedelta(seconds=301))
    await dispatch_due(live_services)
    async with live_services.db.session() as s:
        [r] = (await s.scalars(select(OutboxMessage))).all()
    assert r.status == after
    if after == "dead":
        assert "outcome unknown" in r.last_error
    assert len(fake_wechat.calls(KF)) == sends


async def test_every_send_records_that_it_started_before_it_goes(live_services, fake_wechat):
    await enqueue_many(live_services, 5, kind="notice")
    await dispatch_due(live_services)
    async with live_services.db.session() as s:
        rows = (await s.scalars(select(OutboxMessage))).all()
    assert [r.status for r in rows] == ["sent"] * 5
    assert all(r.send_started_at is not None for r in rows)


async def test_two_dispatchers_at_once_send_each_row_once(live_services, fake_wechat):
    await enqueue_many(live_services, 30)
    await asyncio.gather(dispatch_due(live_services), dispatch_due(live_services))
    sent_to = Counter(c.json["touser"] for c in fake_wechat.calls(KF))
    assert sent_to == Counter({f"o{i}": 1 for i in range(30)})
