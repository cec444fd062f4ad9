"""Against the fake WeCom API on 127.0.0.1 (sandbox off): every payload that leaves."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.demo import seed_demo
from bot.outbox import dispatch_all_due
from storage.models import ChannelIdentity, Customer, GuideTask, OutboxMessage, Staff
from tests.conftest import NOW
from tests.fakes.fixtures import fake_wechat, live_services, live_settings  # noqa: F401
from tests.test_work_kit import client_for, contact_event, post, say


@pytest.fixture
async def world(live_services):  # noqa: F811
    await seed_demo(live_services)
    return live_services


async def test_welcome_message_payload(world, fake_wechat):  # noqa: F811
    services = world
    async with client_for(services) as client:
        body = contact_event(
            "add_external_contact",
            corp=services.settings.work.corp_id,
            userid="G001",
            external_userid="wmLIVE1",
            state="store:S001",
            welcome_code="WELCOME-CODE-1",
        )
        assert (await post(client, services.settings, body))[0] == 200
    token = fake_wechat.calls("/cgi-bin/gettoken")[0]
    assert token.query == {
        "corpid": services.settings.work.corp_id,
        "corpsecret": services.settings.work.secret,
    }
    [get] = fake_wechat.calls("/cgi-bin/externalcontact/get")
    assert get.query["external_userid"] == "wmLIVE1"
    [welcome] = fake_wechat.calls("/cgi-bin/externalcontact/send_welcome_msg")
    assert welcome.json["welcome_code"] == "WELCOME-CODE-1"
    assert welcome.json["text"]["content"].startswith("您好，我是万家电器·徐汇店的王丽")
    async with services.db.session() as s:
        row = await s.scalar(select(OutboxMessage))
    assert row.status == "sent" and not row.sandbox


async def test_unionid_links_to_the_official_account_customer(world, fake_wechat):  # noqa: F811
    services = world
    async with services.db.transaction() as s:
        c = await s.scalar(select(Customer).where(Customer.phone == "13900210001"))
        mp = await s.scalar(select(ChannelIdentity).where(ChannelIdentity.customer_id == c.id))
        mp.unionid = "UNION-1"
        cid = c.id
    fake_wechat.script(
        "/cgi-bin/externalcontact/get",
        [
            {
                "errcode": 0,
                "external_contact": {
                    "external_userid": "wmU",
                    "name": "微信昵称",
                    "unionid": "UNION-1",
                },
            }
        ],
    )
    async with client_for(services) as client:
        body = contact_event(
            "add_external_contact",
            corp=services.settings.work.corp_id,
            userid="G001",
            external_userid="wmU",
        )
        await post(client, services.settings, body)
    async with services.db.session() as s:
        ident = await s.scalar(select(ChannelIdentity).where(ChannelIdentity.external_id == "wmU"))
    assert ident.customer_id == cid and ident.unionid == "UNION-1"


async def test_push_goes_out_as_a_guide_confirmed_message(world, fake_wechat):  # noqa: F811
    services = world
    async with services.db.transaction() as s:
        c = await s.scalar(select(Customer).where(Customer.phone == "13900210001"))
        g1 = await s.scalar(select(Staff).where(Staff.wecom_userid == "G001"))
        s.add(
            ChannelIdentity(
                customer_id=c.id,
                channel="work",
                account=services.settings.work.corp_id,
                external_id="wmPUSH",
                follow_user="G001",
            )
        )
        s.add(
            GuideTask(
                guide_id=g1.id,
                customer_id=c.id,
                kind="filter_due",
                title="滤芯到期",
                text="您家的PP棉滤芯快到期啦，需要帮您约师傅上门更换吗？",
                due_on=NOW.date(),
                idem_key="live-1",
            )
        )
    async with client_for(services) as client:
        assert "确认发送" in await say(client, services.settings, "G001", "推送 1")
    [call] = fake_wechat.calls("/cgi-bin/externalcontact/add_msg_template")
    assert call.json == {
        "chat_type": "single",
        "external_userid": ["wmPUSH"],
        "text": {"content": "您家的PP棉滤芯快到期啦，需要帮您约师傅上门更换吗？"},
        "sender": "G001",
    }


async def test_digest_goes_out_as_an_app_message(world, fake_wechat):  # noqa: F811
    from bot.work.digest import send_digests

    services = world
    out = await send_digests(services, NOW.date())
    assert [d.userid for d in out] == ["G001", "G002", "G003", "G004"]
    await dispatch_all_due(services)
    calls = fake_wechat.calls("/cgi-bin/message/send")
    assert sorted(c.json["touser"] for c in calls) == ["G001", "G002", "G003", "G004"]
    first = next(c.json for c in calls if c.json["touser"] == "G001")
    assert first["msgtype"] == "text" and first["agentid"] == services.settings.work.agent_id
    assert first["text"]["content"].startswith("王丽，早上好！11月25日的工作提要")


async def test_group_robot_payloads_and_retry(world, fake_wechat):  # noqa: F811
    from bot.work.groups import enqueue_post

    services = world
    now = services.clock.local_now()
    await enqueue_post(services, "阳光花园业主群", "周六福利日", {"msgtype": "text"}, at=now)
    await enqueue_post(services, "阳光花园业主群", "**保养季**", {"msgtype": "markdown"}, at=now)
    articles = [
        {"title": "空调清洗指南", "description": "三步", "url": "https://e.com/a", "picurl": ""}
    ]
    await enqueue_post(
        services,
        "阳光花园业主群",
        "空调清洗指南",
        {"msgtype": "news", "articles": articles},
        at=now,
    )
    fake_wechat.script("/cgi-bin/webhook/send", [500])  # the first try fails
    await dispatch_all_due(services)
    services.clock.freeze(services.clock.now() + timedelta(minutes=10))
    await dispatch_all_due(services)
    calls = fake_wechat.calls("/cgi-bin/webhook/send")
    assert {c.query["key"] for c in calls} == {"sandbox-robot-key-a"}
    bodies = [c.json for c in calls[1:]]
    assert {"msgtype": "markdown", "markdown": {"content": "**保养季**"}} in bodies
    assert {"msgtype": "news", "news": {"articles": articles}} in bodies
    assert {"msgtype": "text", "text": {"content": "周六福利日"}} in bodies
    assert len(calls) == 4  # one failure, then each once
    async with services.db.session() as s:
        rows = (await s.scalars(select(OutboxMessage))).all()
    assert {r.status for r in rows} == {"sent"}
    assert max(r.attempts for r in rows) == 2


class ClockedLimiter:
    """Builds helper-2's MinuteLimiter on a fake clock; records when each send passed."""

    def __init__(self, per_minute: int) -> None:
        from bot.wechat.robot_api import MinuteLimiter

        self.t = 0.0
        self.passed: list[float] = []
        self.slept: list[float] = []

        async def sleep(d: float) -> None:
            self.slept.append(d)
            self.t += d

        self.inner = MinuteLimiter(per_minute, now=lambda: self.t, sleep=sleep)

    async def wait(self, key: str) -> None:
        await self.inner.wait(key)
        self.passed.append(self.t)


async def test_at_most_20_a_minute_per_robot_the_rest_wait(world, fake_wechat):  # noqa: F811
    from bot.wechat.robot_api import RobotApi
    from bot.work.groups import enqueue_post

    services = world
    assert services.settings.work.robot_per_minute == 20
    limiter = ClockedLimiter(services.settings.work.robot_per_minute)
    services.extras["robot_api"] = RobotApi(services, limiter=limiter)  # type: ignore[arg-type]
    now = services.clock.local_now()
    for i in range(25):
        await enqueue_post(services, "阳光花园业主群", f"第{i + 1}条", {"msgtype": "text"}, at=now)
    await dispatch_all_due(services)
    calls = fake_wechat.calls("/cgi-bin/webhook/send")
    assert len(calls) == 25  # a queue, not an error: every post went out
    assert limiter.passed.count(0.0) == 20  # the first minute: 20
    assert all(t >= 60.0 for t in limiter.passed[20:])  # the rest waited for the next minute
    assert sum(limiter.slept) == pytest.approx(60.0)
    async with services.db.session() as s:
        rows = (await s.scalars(select(OutboxMessage))).all()
    assert {r.status for r in rows} == {"sent"} and {r.attempts for r in rows} == {1}
