"""A guide leaves or moves: customers, open tasks, leads and WeCom contacts go to a
colleague of the same store (never another store's); the WeCom transfer payloads; and the
store manager hears of customers lost in WeCom in the morning digest."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from bot.cli import main
from bot.context import build_services
from bot.demo import seed_demo
from bot.outbox import dispatch_all_due
from bot.scrm.handover import HandoverError, hand_over
from bot.work.digest import send_digests
from storage.models import (
    ChannelIdentity,
    Customer,
    GuideTask,
    OutboxMessage,
    SalesLead,
    Staff,
)
from tests.test_work_kit import client_for, contact_event, post

pytest_plugins = ["tests.fakes.fixtures"]


async def _staff(services, userid: str) -> Staff:
    async with services.db.session() as s:
        return await s.scalar(select(Staff).where(Staff.wecom_userid == userid))


async def _world(services) -> None:
    """The demo world; G001 has an open task, a lead, and a customer added in WeCom."""
    await seed_demo(services)
    g1 = await _staff(services, "G001")
    async with services.db.transaction() as s:
        c = await s.scalar(select(Customer).where(Customer.phone == "13900210001"))
        s.add(
            GuideTask(
                guide_id=g1.id,
                customer_id=c.id,
                kind="follow_up",
                title="回访",
                due_on=services.clock.local_now().date(),
                idem_key="t-handover",
            )
        )
        s.add(SalesLead(store_id=g1.store_id, guide_id=g1.id, customer_id=c.id, interest="换冰箱"))
        s.add(
            ChannelIdentity(
                customer_id=c.id,
                channel="work",
                account=services.settings.work.corp_id,
                external_id="wmA01",
                follow_user="G001",
            )
        )


async def _owned_by(services, userid: str) -> tuple[int, int, int]:
    st = await _staff(services, userid)
    async with services.db.session() as s:
        customers = await s.scalar(select(func.count()).where(Customer.guide_id == st.id))
        tasks = await s.scalar(
            select(func.count()).where(GuideTask.guide_id == st.id, GuideTask.status == "open")
        )
        leads = await s.scalar(select(func.count()).where(SalesLead.guide_id == st.id))
    return customers, tasks, leads


async def test_a_resigned_guide_leaves_nothing_without_an_owner(services):
    await _world(services)
    had = await _owned_by(services, "G001")
    result = await hand_over(services, "G001", "G002", "leave")
    assert (result["customers"], result["tasks"], result["leads"]) == had
    assert result["wecom_contacts"] == 1
    assert await _owned_by(services, "G001") == (0, 0, 0)
    assert not (await _staff(services, "G001")).active
    async with services.db.session() as s:
        [move] = (
            await s.scalars(select(OutboxMessage).where(OutboxMessage.channel == "work_transfer"))
        ).all()
        [note] = (
            await s.scalars(select(OutboxMessage).where(OutboxMessage.rule == "handover"))
        ).all()
        ident = await s.scalar(
            select(ChannelIdentity).where(ChannelIdentity.external_id == "wmA01")
        )
    assert move.recipient == "G002" and move.payload["external_userids"] == ["wmA01"]
    assert move.payload["mode"] == "leave"
    assert note.recipient == "G002" and f"顾客{had[0]}位" in note.text
    assert ident.follow_user == "G002"


async def test_never_to_a_colleague_of_another_store(services):
    await _world(services)
    before = await _owned_by(services, "G001")
    with pytest.raises(HandoverError, match="another store"):
        await hand_over(services, "G001", "G003", "transfer")
    assert await _owned_by(services, "G001") == before
    assert (await _staff(services, "G001")).active


async def test_wecom_transfer_payloads_for_resigned_and_on_job_staff(live_services, fake_wechat):
    svc = live_services
    await _world(svc)
    await hand_over(svc, "G001", "G002", "transfer")
    await dispatch_all_due(svc)
    [onjob] = fake_wechat.calls("/cgi-bin/externalcontact/transfer_customer")
    assert onjob.json["handover_userid"] == "G001" and onjob.json["takeover_userid"] == "G002"
    assert onjob.json["external_userid"] == ["wmA01"]
    assert "李娜" in onjob.json["transfer_success_msg"]
    await hand_over(svc, "G002", "G001", "leave")  # and back, as a resignation this time
    await dispatch_all_due(svc)
    [resigned] = fake_wechat.calls("/cgi-bin/externalcontact/resigned/transfer_customer")
    assert resigned.json == {
        "handover_userid": "G002",
        "takeover_userid": "G001",
        "external_userid": ["wmA01"],
    }


def test_cli_staff_leave_and_transfer(settings):
    async def seed():
        svc = build_services(settings)
        try:
            await _world(svc)
        finally:
            await svc.close()

    asyncio.run(seed())
    env = {"WXBOT_DATABASE__URL": settings.database.url}
    run = lambda *a: CliRunner().invoke(main, list(a), env=env, catch_exceptions=False)  # noqa: E731
    bad = run("staff", "transfer", "G001", "--to", "G003")
    assert bad.exit_code == 2 and "another store" in bad.stderr
    out = run("staff", "leave", "G001", "--to", "G002")
    assert out.exit_code == 0
    result = json.loads(out.stdout)
    assert result["mode"] == "leave" and result["customers"] > 0 and result["wecom_contacts"] == 1
    assert run("staff", "leave", "G009", "--to", "G002").exit_code == 2


async def test_the_manager_hears_of_a_customer_who_deleted_their_guide(services):
    await _world(services)
    async with client_for(services) as client:
        event = contact_event(
            "del_follow_user",
            corp=services.settings.work.corp_id,
            userid="G001",
            external_userid="wmA01",
        )
        assert (await post(client, services.settings, event))[0] == 200
    tomorrow = services.clock.local_now().date() + timedelta(days=1)
    digests = {d.userid: d for d in await send_digests(services, tomorrow, dry_run=True)}
    assert "M001" in digests and "M002" not in digests  # only the store that lost someone
    text = digests["M001"].text
    assert "企业微信客户流失（1位）" in text
    assert "139****0001" in text and "删除了导购王丽" in text


async def test_a_refused_transfer_reaches_the_manager(services):
    await _world(services)
    await hand_over(services, "G001", "G002", "transfer")
    from tests.fakes import wxmsg
    from tests.test_work_kit import TS

    refused = wxmsg.xml(
        {
            "ToUserName": services.settings.work.corp_id,
            "FromUserName": "sys",
            "CreateTime": TS,
            "MsgType": "event",
            "Event": "change_external_contact",
            "ChangeType": "transfer_fail",
            "FailReason": "customer_refused",
            "UserID": "G002",
            "ExternalUserID": "wmA01",
        }
    )
    async with client_for(services) as client:
        assert (await post(client, services.settings, refused))[0] == 200
    tomorrow = services.clock.local_now().date() + timedelta(days=1)
    digests = {d.userid: d for d in await send_digests(services, tomorrow, dry_run=True)}
    assert "转给李娜未成功" in digests["M001"].text


async def test_with_notify_now_the_manager_is_told_at_once(settings):
    from tests.conftest import NOW, make_settings

    now_settings = make_settings(
        Path(settings.database.url.split("///", 1)[1]), scrm={"contact_loss_notify": "now"}
    )
    svc = build_services(now_settings, now=NOW)
    try:
        await _world(svc)
        async with client_for(svc) as client:
            event = contact_event(
                "del_external_contact",
                corp=svc.settings.work.corp_id,
                userid="G001",
                external_userid="wmA01",
            )
            assert (await post(client, svc.settings, event))[0] == 200
        async with svc.db.session() as s:
            [note] = (
                await s.scalars(select(OutboxMessage).where(OutboxMessage.rule == "contact_loss"))
            ).all()
        assert note.recipient == "M001" and "被导购王丽删除" in note.text
    finally:
        await svc.close()
