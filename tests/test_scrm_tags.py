"""Customer tags: automatic tags from the demo world, set-based recompute, guides' manual
tags in WeCom (标签 / 查), the CLI, and the sync to WeCom's tags (payloads on a fake API)."""

from __future__ import annotations

import asyncio

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot.cli import main
from bot.context import build_services
from bot.demo import seed_demo
from bot.outbox import dispatch_all_due
from bot.scrm.tags import recompute
from storage.models import ChannelIdentity, Customer, Device, OutboxMessage
from storage.repos import tags as repo
from tests.test_work_kit import client_for, say

pytest_plugins = ["tests.fakes.fixtures"]


async def _tags_of(services, phone: str) -> set[str]:
    async with services.db.session() as s:
        c = await s.scalar(select(Customer).where(Customer.phone == phone))
        return {n for n, _ in await repo.for_customer(s, c.id)}


async def test_demo_world_holds_each_shipped_automatic_tag(services):
    await seed_demo(services)
    result = await recompute(services)
    for name in ("空调8年以上", "净水器用户", "滤芯将到期", "保修将到期", "有宝宝"):
        assert result.counts[name] >= 1, name
    assert "空调8年以上" in await _tags_of(services, "13900210002")
    assert {"净水器用户", "滤芯将到期"} <= await _tags_of(services, "13900210001")
    assert "保修将到期" in await _tags_of(services, "13900210003")
    assert "有宝宝" in await _tags_of(services, "13900210004")
    assert "空调8年以上" not in await _tags_of(services, "13900210001")


async def test_recompute_follows_the_data_and_changes_nothing_twice(services):
    await seed_demo(services)
    await recompute(services)
    again = await recompute(services)
    assert (again.added, again.removed) == (0, 0)
    async with services.db.transaction() as s:
        c = await s.scalar(select(Customer).where(Customer.phone == "13900210002"))
        ac = await s.scalar(select(Device).where(Device.customer_id == c.id))
        ac.retired = True  # the old air conditioner was taken away
    after = await recompute(services)
    assert after.removed == 1 and after.counts["空调8年以上"] == 0
    assert "空调8年以上" not in await _tags_of(services, "13900210002")


@pytest.fixture
async def app(services):
    await seed_demo(services)
    await recompute(services)
    c = client_for(services)
    await c.start_server()
    yield c
    await c.close()


async def test_guide_tags_their_customer_and_sees_it_in_lookup(app, services, settings):
    reply = await say(app, settings, "G001", "标签 13900210005 +换冰箱意向 +装修中")
    assert "加上了：换冰箱意向、装修中" in reply
    assert await _tags_of(services, "13900210005") == {"换冰箱意向", "装修中"}
    card = await say(app, settings, "G001", "查 13900210005")
    assert "标签：" in card and "换冰箱意向" in card
    reply = await say(app, settings, "G001", "标签 139 0021 0005 -装修中")
    assert "去掉了：装修中" in reply and "现在的标签：换冰箱意向" in reply
    shown = await say(app, settings, "G001", "标签 13900210005")
    assert shown == "郭涛的标签：换冰箱意向"


async def test_guide_cannot_tag_another_stores_customer_nor_an_automatic_tag(
    app, services, settings
):
    reply = await say(app, settings, "G003", "标签 13900210005 +换冰箱意向")
    assert "不在" in reply and "名下" in reply
    assert await _tags_of(services, "13900210005") == set()
    reply = await say(app, settings, "G002", "标签 13900210002 -空调8年以上")
    assert "自动标签" in reply
    assert "空调8年以上" in await _tags_of(services, "13900210002")
    assert "标签" in await say(app, settings, "G001", "帮助")


def _cli(settings, *args):
    env = {"WXBOT_DATABASE__URL": settings.database.url}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_cli_recompute_prints_counts_and_show_prints_tags(settings):
    async def seed():
        svc = build_services(settings)
        try:
            await seed_demo(svc)
        finally:
            await svc.close()

    asyncio.run(seed())
    out = _cli(settings, "tags", "recompute")
    assert out.exit_code == 0
    counts = dict(line.split("\t") for line in out.stdout.splitlines())
    assert counts["空调8年以上"] == "1" and counts["净水器用户"] == "1"
    shown = _cli(settings, "tags", "show", "13900210002")
    assert shown.exit_code == 0 and "空调8年以上\t自动" in shown.stdout
    by_openid = _cli(settings, "tags", "show", "demo-openid-02")
    assert "空调8年以上" in by_openid.stdout
    missing = _cli(settings, "tags", "show", "10000000000")
    assert missing.exit_code == 1 and "no customer" in missing.stderr


async def test_tags_sync_to_wecom_creates_the_group_once_and_marks_contacts(
    live_services, fake_wechat
):
    svc = live_services
    await seed_demo(svc)
    async with svc.db.transaction() as s:
        c = await s.scalar(select(Customer).where(Customer.phone == "13900210002"))
        s.add(
            ChannelIdentity(
                customer_id=c.id,
                channel="work",
                account=svc.settings.work.corp_id,
                external_id="wmEXT02",
                follow_user="G002",
            )
        )
    result = await recompute(svc)
    assert result.queued_syncs == 1
    await dispatch_all_due(svc)
    [made] = fake_wechat.calls("/cgi-bin/externalcontact/add_corp_tag")
    assert made.json["group_name"] == "售后标签"
    assert [t["name"] for t in made.json["tag"]] == ["空调8年以上"]
    [mark] = fake_wechat.calls("/cgi-bin/externalcontact/mark_tag")
    assert mark.json == {
        "userid": "G002",
        "external_userid": "wmEXT02",
        "add_tag": ["tag-空调8年以上"],
        "remove_tag": [],
    }
    # The air conditioner goes: the tag comes off in WeCom too, with no new tag group.
    async with svc.db.transaction() as s:
        ac = await s.scalar(select(Device).where(Device.customer_id == c.id))
        ac.retired = True
    await recompute(svc)
    await dispatch_all_due(svc)
    assert len(fake_wechat.calls("/cgi-bin/externalcontact/add_corp_tag")) == 1
    last = fake_wechat.calls("/cgi-bin/externalcontact/mark_tag")[-1]
    assert last.json["remove_tag"] == ["tag-空调8年以上"] and last.json["add_tag"] == []


async def test_sandbox_records_the_tag_sync_in_the_outbox(services):
    await seed_demo(services)
    async with services.db.transaction() as s:
        c = await s.scalar(select(Customer).where(Customer.phone == "13900210001"))
        s.add(
            ChannelIdentity(
                customer_id=c.id,
                channel="work",
                account=services.settings.work.corp_id,
                external_id="wmEXT01",
                follow_user="G001",
            )
        )
    await recompute(services)
    await dispatch_all_due(services)
    async with services.db.session() as s:
        [row] = (
            await s.scalars(select(OutboxMessage).where(OutboxMessage.channel == "work_tag"))
        ).all()
    assert row.status == "sent" and row.sandbox is True and row.recipient == "wmEXT01"
    assert row.payload["add"] == ["净水器用户", "滤芯将到期"]
