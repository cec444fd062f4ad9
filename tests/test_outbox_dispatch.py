"""The dispatcher: sandbox, channel fallbacks, WeChat's errors, retries and dead letters."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.outbox import deliver_soon, dispatch_due
from storage.models import Customer, GuideTask, OutboxMessage
from storage.repos import outbox as repo
from tests.fakes import seed_customer

pytest_plugins = ["tests.fakes.fixtures"]

KF = "/cgi-bin/message/custom/send"
TPL = "/cgi-bin/message/template/send"
APP = "/cgi-bin/message/send"


async def enqueue_care(services, cid, *, kind="lifecycle", channel="mp_kf", text="滤芯该换了"):
    async with services.db.transaction() as s:
        row = await repo.enqueue(
            s,
            channel=channel,
            recipient="openid-1" if channel.startswith("mp") else "G001",
            text=text,
            kind=kind,
            customer_id=cid,
            rule="filter_due",
            idem_key=f"t:{cid}:{kind}:{channel}:{text}",
            payload={
                "openid": "openid-1",
                "guide_userid": "G001",
                "title": "滤芯提醒",
                "customer_name": "王女士",
            },
            not_before=services.clock.now(),
        )
        return row.id


async def row(services, rid) -> OutboxMessage:
    async with services.db.session() as s:
        return await s.get(OutboxMessage, rid)


async def test_sandbox_marks_due_rows_sent_and_sends_nothing(services, fake_wechat):
    services.settings.mp.api_base_url = fake_wechat.base_url
    cid = await seed_customer(services)
    rid = await enqueue_care(services, cid)
    stats = await dispatch_due(services)
    r = await row(services, rid)
    assert (r.status, r.sandbox) == ("sent", True)
    assert stats["sent"] == 1 and fake_wechat.calls() == []
    assert services.metrics.sends.labels("mp_kf", "sandbox")._value.get() == 1


async def test_a_due_row_goes_out_once(live_services, fake_wechat):
    cid = await seed_customer(live_services)
    rid = await enqueue_care(live_services, cid)
    await dispatch_due(live_services)
    await dispatch_due(live_services)
    assert [c.json["text"]["content"] for c in fake_wechat.calls(KF)] == ["滤芯该换了"]
    r = await row(live_services, rid)
    assert (r.status, r.sandbox, r.channel) == ("sent", False, "mp_kf")


async def test_not_yet_due_rows_wait(live_services, fake_wechat):
    cid = await seed_customer(live_services)
    async with live_services.db.transaction() as s:
        await repo.enqueue(
            s,
            channel="mp_kf",
            recipient="openid-1",
            text="later",
            customer_id=cid,
            not_before=live_services.clock.now() + timedelta(hours=1),
        )
    assert (await dispatch_due(live_services))["claimed"] == 0
    assert fake_wechat.calls(KF) == []


async def test_45015_falls_back_to_a_template_message(live_services, fake_wechat):
    cid = await seed_customer(live_services)
    rid = await enqueue_care(live_services, cid, kind="lifecycle")
    fake_wechat.script(KF, [45015])
    await dispatch_due(live_services)
    [tpl] = fake_wechat.calls(TPL)
    assert tpl.json["touser"] == "openid-1"
    assert tpl.json["template_id"] == live_services.settings.mp.template_ids["service_notice"]
    r = await row(live_services, rid)
    assert (r.status, r.channel) == ("sent", "mp_template")


async def test_a_festival_greeting_outside_the_window_becomes_a_guide_task(
    live_services, fake_wechat
):
    cid = await seed_customer(live_services)
    rid = await enqueue_care(live_services, cid, kind="festival", text="冬至快乐")
    fake_wechat.script(KF, [45015])
    await dispatch_due(live_services)
    assert fake_wechat.calls(TPL) == []  # no template messages for greetings
    [msg] = fake_wechat.calls(APP)
    assert msg.json["touser"] == "G001" and "冬至快乐" in msg.json["text"]["content"]
    async with live_services.db.session() as s:
        [task] = (await s.scalars(select(GuideTask))).all()
    assert task.customer_id == cid and task.text == "冬至快乐"
    r = await row(live_services, rid)
    assert (r.status, r.channel, r.recipient) == ("sent", "guide_task", "G001")


async def test_43004_marks_the_customer_and_skips(live_services, fake_wechat):
    cid = await seed_customer(live_services)
    rid = await enqueue_care(live_services, cid)
    fake_wechat.script(KF, [43004])
    await dispatch_due(live_services)
    r = await row(live_services, rid)
    assert r.status == "skipped" and "43004" in r.last_error
    async with live_services.db.session() as s:
        assert (await s.get(Customer, cid)).followed is False
    assert fake_wechat.calls(TPL) == [] and fake_wechat.calls(APP) == []


async def test_rate_limits_back_off_without_using_the_retry_budget(live_services, fake_wechat):
    cid = await seed_customer(live_services)
    rid = await enqueue_care(live_services, cid)
    fake_wechat.script(KF, [45009])
    stats = await dispatch_due(live_services)
    r = await row(live_services, rid)
    assert stats["deferred"] == 1
    assert (r.status, r.attempts) == ("pending", 0)
    assert r.not_before > live_services.clock.now() + timedelta(minutes=5)
    fake_wechat.script(KF, [45047])
    live_services.clock.freeze(r.not_before)
    await dispatch_due(live_services)
    assert (await row(live_services, rid)).status == "pending"
    live_services.clock.freeze((await row(live_services, rid)).not_before)
    await dispatch_due(live_services)
    assert (await row(live_services, rid)).status == "sent"
    assert len(fake_wechat.calls(KF)) == 3


async def test_network_errors_retry_with_backoff_then_dead_letter(live_services, fake_wechat):
    cid = await seed_customer(live_services)
    rid = await enqueue_care(live_services, cid, kind="reply")
    fake_wechat.script(KF, [500, "drop", 502, 503, 500, 500, 500])
    waits = []
    for _ in range(6):
        before = (await row(live_services, rid)).not_before
        live_services.clock.freeze(before)
        await dispatch_due(live_services)
        after = await row(live_services, rid)
        waits.append(after.not_before - before)
    r = await row(live_services, rid)
    assert r.status == "dead" and "gave up after 6 tries" in r.last_error
    assert waits[1] > waits[0]  # exponential backoff
    assert len(fake_wechat.calls(KF)) == 6
    async with live_services.db.session() as s:
        assert [x.id for x in await repo.recent(s, status="dead")] == [rid]


async def test_a_retry_after_a_500_succeeds(live_services, fake_wechat):
    cid = await seed_customer(live_services)
    rid = await enqueue_care(live_services, cid)
    fake_wechat.script(KF, [500])
    await dispatch_due(live_services)
    r = await row(live_services, rid)
    assert r.status == "pending" and "HTTP 500" in r.last_error
    live_services.clock.freeze(r.not_before)
    await dispatch_due(live_services)
    assert (await row(live_services, rid)).status == "sent"


async def test_token_errors_refresh_and_the_message_goes_out(live_services, fake_wechat):
    cid = await seed_customer(live_services)
    rid = await enqueue_care(live_services, cid)
    await deliver_soon(live_services, [rid])  # warms the token
    rid2 = await enqueue_care(live_services, cid, text="第二条")
    fake_wechat.expire_tokens()
    await dispatch_due(live_services)
    assert (await row(live_services, rid2)).status == "sent"
    assert len(fake_wechat.calls("/cgi-bin/token")) == 2


async def test_an_unknown_errcode_is_a_dead_letter_at_once(live_services, fake_wechat):
    cid = await seed_customer(live_services)
    rid = await enqueue_care(live_services, cid, kind="reply")
    fake_wechat.script(KF, [40003])
    await dispatch_due(live_services)
    r = await row(live_services, rid)
    assert r.status == "dead" and "40003" in r.last_error


async def test_deliver_soon_sends_a_late_reply_now(live_services, fake_wechat):
    async with live_services.db.transaction() as s:
        r = await repo.enqueue(
            s, channel="mp_kf", recipient="o-late", text="您的工单已创建", kind="reply"
        )
    await deliver_soon(live_services, [r.id])
    [call] = fake_wechat.calls(KF)
    assert call.json["touser"] == "o-late"


async def test_quiet_hours_hold_care_messages_but_not_replies(live_services, fake_wechat):
    cid = await seed_customer(live_services)
    care = await enqueue_care(live_services, cid)
    async with live_services.db.transaction() as s:
        reply = (
            await repo.enqueue(
                s,
                channel="mp_kf",
                recipient="o2",
                text="好的",
                kind="reply",
                not_before=live_services.clock.now(),
            )
        ).id
    from datetime import datetime
    from zoneinfo import ZoneInfo

    live_services.clock.freeze(datetime(2026, 11, 25, 22, 30, tzinfo=ZoneInfo("Asia/Shanghai")))
    await dispatch_due(live_services)
    assert (await row(live_services, reply)).status == "sent"
    assert (await row(live_services, care)).status == "pending"
    live_services.clock.freeze(datetime(2026, 11, 26, 8, 30, tzinfo=ZoneInfo("Asia/Shanghai")))
    await dispatch_due(live_services)
    assert (await row(live_services, care)).status == "sent"


async def test_group_robot_and_wecom_app_rows(live_services, fake_wechat):
    async with live_services.db.transaction() as s:
        await repo.enqueue(
            s,
            channel="group_robot",
            recipient="ROBOTKEY",
            text="周六福利日",
            kind="notice",
            not_before=live_services.clock.now(),
        )
        await repo.enqueue(
            s,
            channel="work_app",
            recipient="G001|G002",
            text="今日任务3条",
            kind="notice",
            not_before=live_services.clock.now(),
        )
    await dispatch_due(live_services)
    assert fake_wechat.calls("/cgi-bin/webhook/send")[0].json["text"]["content"] == "周六福利日"
    assert fake_wechat.calls(APP)[0].json["touser"] == "G001|G002"


async def test_operator_retry_brings_a_dead_letter_back(live_services, fake_wechat):
    cid = await seed_customer(live_services)
    rid = await enqueue_care(live_services, cid, kind="reply")
    fake_wechat.script(KF, [40003])
    await dispatch_due(live_services)
    async with live_services.db.transaction() as s:
        assert await repo.retry(s, rid, live_services.clock.now())
    await dispatch_due(live_services)
    assert (await row(live_services, rid)).status == "sent"


async def test_sandbox_guide_tasks_are_written_and_unknown_guides_are_dead_letters(services):
    cid = await seed_customer(services, openid=None)
    async with services.db.transaction() as s:
        ok = await repo.enqueue(
            s,
            channel="guide_task",
            recipient="G001",
            text="生日快乐",
            kind="festival",
            customer_id=cid,
            rule="birthday",
            payload={"title": "生日祝福", "customer_name": "王女士"},
            not_before=services.clock.now(),
        )
        bad = await repo.enqueue(
            s,
            channel="guide_task",
            recipient="G404",
            text="x",
            kind="festival",
            customer_id=cid,
            not_before=services.clock.now(),
        )
    await dispatch_due(services)
    async with services.db.session() as s:
        [task] = (await s.scalars(select(GuideTask))).all()
        assert (task.title, task.text, task.customer_id) == ("生日祝福：王女士", "生日快乐", cid)
        assert (await s.get(OutboxMessage, ok.id)).status == "sent"
        dead = await s.get(OutboxMessage, bad.id)
        assert dead.status == "dead" and "G404" in dead.last_error
