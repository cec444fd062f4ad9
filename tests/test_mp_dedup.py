"""Exactly once: retries get the same reply, the key never merges two real messages,
a retry in another process is still a retry, and slow replies go late by customer-service."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

import bot.dialog
from bot.context import build_services
from bot.messages import Inbound, Reply
from storage.models import ConversationSession, InboundMessage, OutboxMessage
from tests.conftest import NOW, make_settings
from tests.fakes import wxmsg
from tests.fakes.mp import mp_app, mp_sender, settings_in_mode
from tests.fakes.wechat_api import FakeWeChat

TS = int(NOW.timestamp())


class CountingDialog:
    """A dialog that counts its calls, can be held at a gate, and writes nothing twice."""

    def __init__(self) -> None:
        self.calls: list[Inbound] = []
        self.gate: asyncio.Event | None = None
        self.entered = asyncio.Event()

    async def __call__(self, services, inbound: Inbound) -> Reply:
        self.calls.append(inbound)
        self.entered.set()
        if self.gate is not None:
            await self.gate.wait()
        return Reply(text=f"第{len(self.calls)}次回复：{inbound.text}", intent="repair")


@pytest.fixture
def dialog(monkeypatch: pytest.MonkeyPatch) -> CountingDialog:
    stub = CountingDialog()
    monkeypatch.setattr(bot.dialog, "respond", stub)
    return stub


@pytest.fixture
def settings(request, db_path):
    """The account in the mode the test posts in (plain when it posts in several)."""
    return settings_in_mode(request, db_path)


@pytest.fixture
async def client(services):
    async with TestClient(TestServer(mp_app(services))) as c:
        yield c


def wx(client, services, mode: str = "safe") -> wxmsg.Sender:
    return mp_sender(client, services, mode)


async def rows(services, model, **where) -> list:
    async with services.db.session() as s:
        q = select(model)
        for k, v in where.items():
            q = q.where(getattr(model, k) == v)
        return list(await s.scalars(q))


async def eventually(check, tries: int = 300):
    """Poll ``check`` (an async predicate) for up to ~3 s."""
    for _ in range(tries):
        if await check():
            return True
        await asyncio.sleep(0.01)
    return False


@pytest.mark.parametrize("mode", ["plain", "safe"])
async def test_a_retry_gets_the_same_reply_and_the_dialog_runs_once(client, services, dialog, mode):
    sender = wx(client, services, mode)
    body = wxmsg.text("o-retry", "空调漏水", msg_id=777001, create_time=TS)
    first = await sender.post(body)
    second = await sender.post(body)
    third = await sender.post(body)
    assert first[1]["Content"] == "第1次回复：空调漏水"
    assert second[1]["Content"] == third[1]["Content"] == first[1]["Content"]
    assert len(dialog.calls) == 1
    assert len(await rows(services, InboundMessage)) == 1


async def test_retries_are_counted_as_duplicates(client, services, dialog):
    body = wxmsg.text("o-dup", "你好", msg_id=5)
    await wx(client, services).post(body)
    await wx(client, services).post(body)
    text = await (await client.get("/metrics")).text()
    assert 'wxbot_duplicate_messages_total{channel="mp"} 1.0' in text


async def test_fifteen_voices_with_one_msgid_from_fifteen_people_get_fifteen_replies(
    client, services, dialog
):
    sender = wx(client, services)
    bodies = [wxmsg.voice(f"o-voice-{i}", f"第{i}台要修", msg_id=4242) for i in range(15)]
    results = await asyncio.gather(*(sender.post(b) for b in bodies))
    assert [status for status, _ in results] == [200] * 15
    assert all(r["MsgType"] == "text" for _, r in results)
    assert {r["ToUserName"] for _, r in results} == {f"o-voice-{i}" for i in range(15)}
    assert len(dialog.calls) == 15
    assert len(await rows(services, InboundMessage)) == 15


async def test_same_msgid_on_another_account_is_another_message(db_path, dialog):
    """The account is part of the key: two Official Accounts sharing a database."""
    one = build_services(make_settings(db_path), now=NOW)
    other = build_services(make_settings(db_path, mp={"app_id": "wxsecondaccount01"}), now=NOW)
    try:
        async with (
            TestClient(TestServer(mp_app(one))) as c1,
            TestClient(TestServer(mp_app(other))) as c2,
        ):
            body = wxmsg.text("o-same", "你好", msg_id=99)
            await wx(c1, one).post(body)
            await wx(c2, other).post(body)
        assert len(dialog.calls) == 2
    finally:
        await one.close()
        await other.close()


async def test_two_clicks_at_different_times_are_two_messages(client, services, dialog):
    sender = wx(client, services)
    await sender.post(wxmsg.event("CLICK", from_user="o-c", key="MENU_REPAIR", create_time=TS))
    await sender.post(wxmsg.event("CLICK", from_user="o-c", key="MENU_REPAIR", create_time=TS + 1))
    await sender.post(wxmsg.event("CLICK", from_user="o-c", key="MENU_REPAIR", create_time=TS + 1))
    assert len(dialog.calls) == 2


async def test_a_retry_during_processing_waits_and_gets_the_same_reply(client, services, dialog):
    dialog.gate = asyncio.Event()
    sender = wx(client, services)
    body = wxmsg.text("o-wait", "热水器不出热水", msg_id=31337)
    first = asyncio.ensure_future(sender.post(body))
    await dialog.entered.wait()
    retry = asyncio.ensure_future(sender.post(body))
    await asyncio.sleep(0.05)
    assert not retry.done()  # waiting for the first attempt, not answering empty
    dialog.gate.set()
    (s1, r1), (s2, r2) = await asyncio.gather(first, retry)
    assert r1["Content"] == r2["Content"] == "第1次回复：热水器不出热水"
    assert len(dialog.calls) == 1


async def test_a_retry_that_reaches_another_process_is_still_a_retry(db_path, dialog):
    a = build_services(make_settings(db_path), now=NOW)
    b = build_services(make_settings(db_path), now=NOW)
    try:
        async with (
            TestClient(TestServer(mp_app(a))) as ca,
            TestClient(TestServer(mp_app(b))) as cb,
        ):
            body = wxmsg.text("o-xproc", "洗衣机漏水", msg_id=8080)
            _, first = await wx(ca, a).post(body)
            _, again = await wx(cb, b).post(body)
            assert again["Content"] == first["Content"]
            assert len(dialog.calls) == 1

            # and while the first process is still working on it
            dialog.gate = asyncio.Event()
            dialog.entered.clear()
            body2 = wxmsg.text("o-xproc", "冰箱不制冷", msg_id=8081)
            first2 = asyncio.ensure_future(wx(ca, a).post(body2))
            await dialog.entered.wait()
            retry2 = asyncio.ensure_future(wx(cb, b).post(body2))
            await asyncio.sleep(0.1)
            dialog.gate.set()
            (_, r1), (_, r2) = await asyncio.gather(first2, retry2)
            assert r1["Content"] == r2["Content"] == "第2次回复：冰箱不制冷"
            assert len(dialog.calls) == 2
    finally:
        await a.close()
        await b.close()


async def test_a_failed_first_attempt_is_not_retried_into_a_second_run(
    client, services, monkeypatch
):
    calls = []

    async def boom(services, inbound):
        calls.append(inbound)
        raise RuntimeError("bug")

    monkeypatch.setattr(bot.dialog, "respond", boom)
    body = wxmsg.text("o-err", "你好", msg_id=12)
    assert await wx(client, services).post(body) == (200, {})
    assert await wx(client, services).post(body) == (200, {})
    assert len(calls) == 1


# The reply budget: ack first, finish later


@pytest.fixture
async def slow_services(db_path):
    svc = build_services(make_settings(db_path, mp={"reply_budget_s": 0.05}), now=NOW)
    yield svc
    await svc.close()


async def test_a_slow_reply_is_acknowledged_empty_then_sent_as_a_kf_message(slow_services, dialog):
    services = slow_services
    dialog.gate = asyncio.Event()
    async with TestClient(TestServer(mp_app(services))) as client:
        sender = wx(client, services)
        body = wxmsg.text("o-late", "帮我报修空调", msg_id=6001)
        status, reply = await sender.post(body)
        assert (status, reply) == (200, {})  # answered at once, empty

        # a retry now (still working) gets nothing either
        assert await sender.post(body) == (200, {})

        dialog.gate.set()

        async def kf_sent():
            found = await rows(services, OutboxMessage, channel="mp_kf")
            return bool(found) and found[0].status == "sent"

        assert await eventually(kf_sent)
        [row] = await rows(services, OutboxMessage, channel="mp_kf")
        assert row.recipient == "o-late"
        assert row.kind == "reply"
        assert row.text == "第1次回复：帮我报修空调"
        assert row.customer_id is not None

        # a retry after the late reply went: empty, never a second reply
        assert await sender.post(body) == (200, {})
        assert len(dialog.calls) == 1
        assert len(await rows(services, OutboxMessage)) == 1
        [ledger] = await rows(services, InboundMessage)
        assert ledger.status == "late"


async def test_a_late_reply_reaches_the_customer_service_api(db_path, dialog):
    async with FakeWeChat() as fake:
        settings = make_settings(
            db_path,
            sandbox=False,
            mp={"api_base_url": fake.base_url, "reply_budget_s": 0.05},
        )
        services = build_services(settings, now=NOW)
        try:
            dialog.gate = asyncio.Event()
            async with TestClient(TestServer(mp_app(services))) as client:
                status, reply = await wx(client, services).post(
                    wxmsg.text("o-live", "滤芯多少钱", msg_id=6002)
                )
                assert (status, reply) == (200, {})
                dialog.gate.set()

                async def called():
                    return bool(fake.calls("/cgi-bin/message/custom/send"))

                assert await eventually(called)
            [call] = fake.calls("/cgi-bin/message/custom/send")
            assert call.json["touser"] == "o-live"
            assert call.json["msgtype"] == "text"
            assert call.json["text"]["content"] == "第1次回复：滤芯多少钱"
        finally:
            await services.close()


async def test_fast_replies_within_the_budget_are_not_sent_twice(slow_services, dialog):
    """A reply ready within the budget goes in the HTTP answer and nowhere else."""
    async with TestClient(TestServer(mp_app(slow_services))) as client:
        _, reply = await wx(client, slow_services).post(wxmsg.text("o-fast", "你好"))
    assert reply["Content"] == "第1次回复：你好"
    assert await rows(slow_services, OutboxMessage) == []


async def test_inbound_ledger_keeps_status_and_intent(client, services, dialog):
    await wx(client, services).post(wxmsg.text("o-led", "你好", msg_id=1))
    [row] = await rows(services, InboundMessage)
    assert (row.status, row.intent, row.from_user, row.channel) == ("done", "repair", "o-led", "mp")
    assert row.dedup_key == f"mp:{services.settings.mp.app_id}:o-led:1"
    async with services.db.session() as s:
        assert await s.scalar(select(func.count()).select_from(InboundMessage)) == 1


async def test_a_message_whose_first_attempt_died_is_taken_over(client, services, dialog):
    """A ledger row stuck in "processing" (its process died) long ago: the retry runs it."""
    from datetime import timedelta

    key = f"mp:{services.settings.mp.app_id}:o-orphan:4040"
    async with services.db.transaction() as s:
        s.add(
            InboundMessage(
                dedup_key=key,
                channel="mp",
                from_user="o-orphan",
                msg_type="text",
                status="processing",
                received_at=NOW - timedelta(minutes=2),
            )
        )
    _, reply = await wx(client, services).post(wxmsg.text("o-orphan", "还在吗", msg_id=4040))
    assert reply["Content"] == "第1次回复：还在吗"
    [row] = await rows(services, InboundMessage)
    assert row.status == "done"


async def test_a_recent_processing_row_is_not_taken_over(client, services, dialog):
    key = f"mp:{services.settings.mp.app_id}:o-busy:4041"
    async with services.db.transaction() as s:
        s.add(
            InboundMessage(
                dedup_key=key,
                channel="mp",
                from_user="o-busy",
                msg_type="text",
                status="processing",
                received_at=NOW,
            )
        )
    # the other process is still on it: wait (within the budget), then answer empty
    services.settings.mp.reply_budget_s = 0.1
    assert await wx(client, services).post(wxmsg.text("o-busy", "你好", msg_id=4041)) == (200, {})
    assert dialog.calls == []


async def test_one_bad_message_in_a_batch_does_not_sink_the_others(
    client, services, dialog, monkeypatch
):
    """Claims are written together; when one message's bookkeeping fails, the rest are
    written one by one and answered, and the bad one gets an empty 200 (never a 500)."""
    from storage.repos import identities

    real = identities.create_customers  # first-time writers are created in one go

    async def fragile(session, channel, account, external_ids, at):
        if "o-bad" in external_ids:
            raise RuntimeError("broken row")
        return await real(session, channel, account, external_ids, at)

    monkeypatch.setattr(identities, "create_customers", fragile)
    sender = wx(client, services)
    users = [f"o-good-{i}" for i in range(8)] + ["o-bad"]
    results = await asyncio.gather(*(sender.post(wxmsg.text(u, "你好")) for u in users))
    by_user = dict(zip(users, results, strict=True))
    assert by_user["o-bad"] == (200, {})
    assert all(by_user[u][1]["MsgType"] == "text" for u in users[:-1])
    assert len(dialog.calls) == 8


async def test_events_with_long_keys_fit_the_ledger(client, services, dialog):
    url = "https://example.com/shop?" + "x" * 900
    body = wxmsg.event("VIEW", from_user="o-view", key=url, create_time=TS)
    assert await wx(client, services).post(body) == (200, {})
    assert await wx(client, services).post(body) == (200, {})
    [row] = await rows(services, InboundMessage)
    assert len(row.dedup_key) <= 300 and row.dedup_key.startswith("mp:")


async def test_a_crowd_of_first_time_writers_become_one_customer_each(client, services, dialog):
    """Thirty people write for the first time at the same moment (a QR code at a store
    event): one customer each, linked to the right openid — and their second messages find
    those customers rather than making more."""
    from storage.models import ChannelIdentity, Customer

    sender = wx(client, services)
    users = [f"o-new-{i:02d}" for i in range(30)]
    for round_ in ("你好", "在吗"):
        results = await asyncio.gather(*(sender.post(wxmsg.text(u, round_)) for u in users))
        assert all(body["MsgType"] == "text" for _, body in results)
    identities = await rows(services, ChannelIdentity)
    customers = await rows(services, Customer)
    assert sorted(i.external_id for i in identities) == users
    assert len(customers) == 30
    assert len({i.customer_id for i in identities}) == 30
    assert all(c.last_inbound_at is not None for c in customers)


async def test_a_reply_stored_with_its_turn_as_time_runs_out_is_answered_not_sent_late(
    db_path, monkeypatch
):
    """The dialog stores the answer in the ledger with the turn's own writes. When that
    commit lands just before the budget runs out and the turn returns just after, the
    message is answered in the HTTP reply, once, and nothing goes by customer service."""
    from bot.messages import reply_to_json
    from storage.repos import inbound as inbound_repo

    svc = build_services(make_settings(db_path, mp={"reply_budget_s": 0.2}), now=NOW)

    async def records_then_returns_late(services, inbound: Inbound) -> Reply:
        await asyncio.sleep(0.1)
        reply = Reply(text="您好，已为您登记～", intent="repair")
        async with services.db.transaction(short=True) as db:  # as respond_together does
            await inbound_repo.finish_many(
                db, [(inbound.dedup_key, reply_to_json(reply), reply.intent)]
            )
        await asyncio.sleep(0.2)  # past the budget before the turn hands its reply over
        return Reply(text=reply.text, intent=reply.intent, recorded=True)

    monkeypatch.setattr(bot.dialog, "respond", records_then_returns_late)
    try:
        async with TestClient(TestServer(mp_app(svc))) as client:
            sender = wx(client, svc)
            body = wxmsg.text("o-edge", "帮我报修空调", msg_id=6101)
            status, reply = await sender.post(body)
            assert status == 200 and reply.get("Content") == "您好，已为您登记～"
            assert await sender.post(body) == (200, reply)  # a retry: the same answer
            await asyncio.sleep(0.3)
            assert await rows(svc, OutboxMessage) == []  # nothing sent a second way
            [ledger] = await rows(svc, InboundMessage)
            assert ledger.status == "done"
    finally:
        await svc.close()


async def test_the_real_dialog_stores_its_answer_with_the_turn_and_a_later_retry_gets_it(db_path):
    """No stub: the dialog writes the reply into the ledger in its own transaction. A retry
    that reaches another process (nothing in flight there) is answered from the ledger,
    word for word, and the turn does not run a second time."""
    from bot.messages import reply_from_json

    first = build_services(make_settings(db_path), now=NOW)
    second = build_services(make_settings(db_path), now=NOW)
    body = wxmsg.text("o-real", "空调不制冷了 要修", msg_id=6201)
    try:
        async with TestClient(TestServer(mp_app(first))) as c1:
            status, reply = await wx(c1, first).post(body)
        assert status == 200 and "上门地址" in reply["Content"]
        [ledger] = await rows(first, InboundMessage)
        assert ledger.status == "done" and ledger.intent == "repair"
        assert reply_from_json(ledger.reply).text == reply["Content"]
        [before] = await rows(first, ConversationSession)
        async with TestClient(TestServer(mp_app(second))) as c2:
            assert await wx(c2, second).post(body) == (200, reply)
        [after] = await rows(first, ConversationSession)
        assert after.state == before.state  # the turn did not run a second time
        [ledger] = await rows(first, InboundMessage)
        assert ledger.status == "done"
    finally:
        await first.close()
        await second.close()
