"""Customer group chats as their admins run them (issue 19): synced from WeCom (name, owner,
members, joins and leaves), kept current by WeCom's callbacks, shown in the admin over
time; the stores' 入群欢迎语 sent as group welcome templates; an owner who leaves hands
their groups to the colleague. Every WeCom payload is checked on the fake server."""

from __future__ import annotations

from datetime import datetime

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.app import create_app
from bot.demo import seed_demo
from bot.outbox import dispatch_all_due
from bot.scrm.handover import hand_over
from bot.work.group_chats import queue_welcome_templates, sync
from bot.work.groups import sync_groups
from storage.models import Group, GroupDay, OutboxMessage
from tests import test_work_kit as kit
from tests.fakes import wxmsg
from tests.test_admin_auth import login

pytest_plugins = ["tests.fakes.fixtures"]
LIST = "/cgi-bin/externalcontact/groupchat/list"
GET = "/cgi-bin/externalcontact/groupchat/get"


def _ts(services, hour: int, day: int = 25) -> int:
    return int(datetime(2026, 11, day, hour, 0, tzinfo=services.settings.tz).timestamp())


def _chat(chat_id: str, name: str, owner: str, joins: list[int]) -> dict:
    members = [
        {"userid": f"wm{chat_id}{i}", "type": 2, "join_time": t} for i, t in enumerate(joins)
    ]
    return {
        "errcode": 0,
        "group_chat": {"chat_id": chat_id, "name": name, "owner": owner, "member_list": members},
    }


async def _synced_world(svc, fake) -> None:
    await seed_demo(svc)
    await sync_groups(svc)  # the configured group with its robot
    old, today = _ts(svc, 9, day=20), _ts(svc, 8)
    fake.script(
        LIST,
        [
            {
                "errcode": 0,
                "group_chat_list": [{"chat_id": "wrA", "status": 0}],
                "next_cursor": "c2",
            },
            {"errcode": 0, "group_chat_list": [{"chat_id": "wrB", "status": 0}], "next_cursor": ""},
        ],
    )
    fake.script(
        GET,
        [
            _chat("wrA", "阳光花园业主群", "G001", [old, old, old, today]),
            _chat("wrB", "梅园新村换新群", "G003", [old, today, today]),
        ],
    )
    assert await sync(svc) == {"chats": 2, "created": 1, "updated": 1, "failed": 0}


async def _group(svc, chat_id: str) -> Group:
    async with svc.db.session() as s:
        return await s.scalar(select(Group).where(Group.chat_id == chat_id))


async def test_sync_links_configured_groups_and_counts_members_and_joins(
    live_services, fake_wechat
):
    svc = live_services
    await _synced_world(svc, fake_wechat)
    pages = fake_wechat.calls(LIST)
    assert [c.json.get("cursor") for c in pages] == [None, "c2"]  # paged by cursor
    assert {c.json["chat_id"] for c in fake_wechat.calls(GET)} == {"wrA", "wrB"}
    sunshine = await _group(svc, "wrA")
    assert sunshine.robot_key  # the configured group, linked: its robot is kept
    assert sunshine.member_count == 4 and sunshine.owner_userid == "G001"
    new = await _group(svc, "wrB")
    assert new.robot_key == "" and new.member_count == 3
    assert new.store_id is not None  # the owner's store
    async with svc.db.session() as s:
        days = {
            d.group_id: d
            for d in await s.scalars(
                select(GroupDay).where(GroupDay.day == svc.clock.local_now().date())
            )
        }
    assert (days[sunshine.id].members, days[sunshine.id].joins) == (4, 1)
    assert (days[new.id].members, days[new.id].joins) == (3, 2)


async def test_callbacks_keep_joins_and_leaves_current(live_services, fake_wechat):
    svc = live_services
    await _synced_world(svc, fake_wechat)

    def chat_event(detail: str, count: int, total: int, ts: int) -> str:
        return wxmsg.xml(
            {
                "ToUserName": svc.settings.work.corp_id,
                "FromUserName": "sys",
                "CreateTime": ts,
                "MsgType": "event",
                "Event": "change_external_chat",
                "ChatId": "wrA",
                "ChangeType": "update",
                "UpdateDetail": detail,
                "MemChangeCnt": count,
                "MemCount": total,
            }
        )

    async with kit.client_for(svc) as client:
        for detail, count, total in (("add_member", 2, 6), ("del_member", 1, 5)):
            status, _ = await kit.post(
                client, svc.settings, chat_event(detail, count, total, kit.TS)
            )
            assert status == 200
        # WeCom resends the same callback: counted once
        await kit.post(client, svc.settings, chat_event("del_member", 1, 5, kit.TS))
    group = await _group(svc, "wrA")
    assert group.member_count == 5
    async with svc.db.session() as s:
        day = await s.scalar(
            select(GroupDay).where(
                GroupDay.group_id == group.id, GroupDay.day == svc.clock.local_now().date()
            )
        )
    assert (day.members, day.joins, day.leaves) == (5, 3, 1)


async def test_an_owner_who_leaves_hands_the_groups_to_the_colleague(live_services, fake_wechat):
    svc = live_services
    await _synced_world(svc, fake_wechat)
    result = await hand_over(svc, "G001", "G002", "transfer")  # still employed: on-job API
    assert result["groups"] == 1
    assert (await _group(svc, "wrA")).owner_userid == "G002"
    await dispatch_all_due(svc)
    [onjob] = fake_wechat.calls("/cgi-bin/externalcontact/groupchat/onjob_transfer")
    assert onjob.json == {"chat_id_list": ["wrA"], "new_owner": "G002"}
    await hand_over(svc, "G002", "G001", "leave")  # and back, as a resignation
    await dispatch_all_due(svc)
    [call] = fake_wechat.calls("/cgi-bin/externalcontact/groupchat/transfer")
    assert call.json == {"chat_id_list": ["wrA"], "new_owner": "G001"}
    assert (await _group(svc, "wrA")).owner_userid == "G001"
    async with svc.db.session() as s:
        notes = [
            o.text
            for o in await s.scalars(select(OutboxMessage).where(OutboxMessage.rule == "handover"))
        ]
    assert any("客户群1个" in (t or "") for t in notes)  # the colleague is told


async def test_welcome_templates_per_store_added_then_edited(live_services, fake_wechat):
    svc = live_services
    await seed_demo(svc)
    fake_wechat.script(
        "/cgi-bin/externalcontact/group_welcome_template/add",
        [{"errcode": 0, "template_id": "tplS001"}, {"errcode": 0, "template_id": "tplS002"}],
    )
    assert await queue_welcome_templates(svc) == 2
    assert await queue_welcome_templates(svc) == 0  # unchanged: not sent again
    await dispatch_all_due(svc)
    added = fake_wechat.calls("/cgi-bin/externalcontact/group_welcome_template/add")
    assert len(added) == 2 and "徐汇店" in added[0].json["text"]["content"]
    svc.settings.scrm["group_welcome"]["S001"] = "欢迎新邻居！"
    assert await queue_welcome_templates(svc) == 1
    await dispatch_all_due(svc)
    [edited] = fake_wechat.calls("/cgi-bin/externalcontact/group_welcome_template/edit")
    assert edited.json == {"template_id": "tplS001", "text": {"content": "欢迎新邻居！"}}


async def test_sandbox_does_not_call_wecom_and_the_admin_shows_the_groups(
    services, live_services, fake_wechat
):
    assert await sync(services) == {"skipped": "sandbox"}
    svc = live_services
    await _synced_world(svc, fake_wechat)
    client = TestClient(TestServer(create_app(services)))  # the same database, sandbox login
    await client.start_server()
    try:
        assert (await login(client)).status == 303
        html = await (await client.get("/admin/scrm")).text()
    finally:
        await client.close()
    assert "客户群" in html and "梅园新村换新群" in html and "+2" in html
    assert "客户群总人数" in html


async def test_a_chat_wecom_will_not_show_does_not_stop_the_sync(live_services, fake_wechat):
    svc = live_services
    await seed_demo(svc)
    fake_wechat.script(
        LIST,
        [{"errcode": 0, "group_chat_list": [{"chat_id": "wrX"}, {"chat_id": "wrY"}]}],
    )
    fake_wechat.script(GET, [60011, _chat("wrY", "锦华小区群", "G002", [_ts(svc, 9)])])
    assert await sync(svc) == {"chats": 2, "created": 1, "updated": 0, "failed": 1}
    assert (await _group(svc, "wrY")).member_count == 1
