"""Community groups: admin posts (群发), config SOP posts, festival greetings, time parsing."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from bot.demo import seed_demo
from bot.work.groups import greet_groups, plan_posts, sync_groups
from bot.work.when import parse_when
from storage.models import Group, OutboxMessage
from tests.conftest import NOW, SHANGHAI, make_settings
from tests.test_work_kit import client_for, say

GROUP = "阳光花园业主群"


@pytest.fixture
async def client(services):
    await seed_demo(services)
    async with client_for(services) as c:
        yield c


async def rows(services) -> list[OutboxMessage]:
    async with services.db.session() as s:
        return list((await s.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all())


@pytest.mark.parametrize(
    "text,expected,rest",
    [
        ("明天上午10点 周六福利日", datetime(2026, 11, 26, 10, 0), "周六福利日"),
        ("今天下午3点半 内容", datetime(2026, 11, 25, 15, 30), "内容"),
        ("后天晚上八点 内容", datetime(2026, 11, 27, 20, 0), "内容"),
        ("11月30日 9:00 内容", datetime(2026, 11, 30, 9, 0), "内容"),
        ("1月2日上午9点 新年", datetime(2027, 1, 2, 9, 0), "新年"),
        ("2026-12-01 09:30 内容", datetime(2026, 12, 1, 9, 30), "内容"),
        ("现在 马上发", datetime(2026, 11, 25, 10, 0), "马上发"),
        ("周六上午10点 福利日", datetime(2026, 11, 28, 10, 0), "福利日"),
        ("下周一9点 内容", datetime(2026, 11, 30, 9, 0), "内容"),
    ],
)
def test_parse_when(text, expected, rest):
    at, left = parse_when(text, NOW)
    assert at == expected.replace(tzinfo=SHANGHAI)
    assert left == rest


def test_parse_when_without_a_time():
    assert parse_when("周六福利日", NOW) == (None, "周六福利日")


async def test_admin_schedules_a_post(client, services):
    answer = await say(
        client, services.settings, "G001", f"群发 {GROUP} 明天上午10点 周六福利日，空调清洗8折！"
    )
    assert answer == f"好的，11月26日 10:00发到“{GROUP}”。"
    [row] = await rows(services)
    assert (row.channel, row.recipient, row.kind) == (
        "group_robot",
        "sandbox-robot-key-a",
        "notice",
    )
    assert row.text == "周六福利日，空调清洗8折！"
    assert row.payload["msgtype"] == "text" and row.payload["group"] == GROUP
    assert row.not_before == datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)
    assert row.status == "pending"  # waits for its time


async def test_admin_markdown_post_by_partial_name(client, services):
    answer = await say(client, services.settings, "G003", "群发 阳光花园 现在 md **福利日**来啦")
    assert "马上发到" in answer
    [row] = await rows(services)
    assert row.payload["msgtype"] == "markdown" and row.text == "**福利日**来啦"


async def test_post_refusals(client, services):
    s = services.settings
    assert "群管理员权限" in await say(client, s, "G002", f"群发 {GROUP} 明天上午10点 你好")
    assert "没找到群" in await say(client, s, "G001", "群发 火星群 明天上午10点 你好")
    assert "什么时候发" in await say(client, s, "G001", f"群发 {GROUP} 改天吧 你好")
    assert "已经过去了" in await say(client, s, "G001", f"群发 {GROUP} 今天上午9点 你好")
    assert "要发什么内容" in await say(client, s, "G001", f"群发 {GROUP} 明天上午10点")
    assert await rows(services) == []
    assert GROUP in await say(client, s, "G001", "群列表")
    assert "群管理员权限" in await say(client, s, "G002", "群列表")


async def test_config_groups_and_sop_posts(db_path):
    from bot.context import build_services

    groups = [
        {
            "name": "汇景苑邻里群",
            "robot_key": "key-b",
            "store": "S001",
            "posts": [
                {"weekday": 4, "time": "10:00", "text": "周四福利日：滤芯买二送一"},
                {"date": "2026-11-26", "time": "09:30", "markdown": "**冬季保养季**开始啦"},
                {"weekday": 1, "time": "09:00", "text": "周一不发"},
                {
                    "weekday": 4,
                    "time": "15:00",
                    "news": [{"title": "空调清洗指南", "url": "https://example.com/a"}],
                },
            ],
        }
    ]
    services = build_services(make_settings(db_path, groups=groups), now=NOW)
    try:
        await seed_demo(services)
        assert await sync_groups(services) == {"created": 1, "updated": 0, "unchanged": 0}
        thursday = date(2026, 11, 26)
        assert await plan_posts(services, thursday) == 3
        assert await plan_posts(services, thursday) == 0  # once per day
        got = await rows(services)
        assert [r.payload["msgtype"] for r in got] == ["text", "markdown", "news"]
        assert {r.recipient for r in got} == {"key-b"}
        assert got[0].not_before == datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)
        assert got[2].payload["articles"][0]["title"] == "空调清洗指南"
        async with services.db.session() as s:
            names = (await s.scalars(select(Group.name))).all()
        assert set(names) == {GROUP, "汇景苑邻里群"}
    finally:
        await services.close()


async def test_festival_greeting_to_every_group_once(services):
    await seed_demo(services)
    day = date(2026, 12, 21)
    assert await greet_groups(services, "冬至", "冬至快乐，记得吃饺子～", day) == 1
    assert await greet_groups(services, "冬至", "冬至快乐，记得吃饺子～", day) == 0
    [row] = await rows(services)
    assert row.kind == "festival" and row.channel == "group_robot"
