"""The playground's server side: messages go signed and encrypted through the real webhooks."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.app import create_app
from bot.demo import seed_demo
from storage.models import InboundMessage
from storage.repos import outbox as outbox_repo

H = {"X-Playground": "1"}


@pytest.fixture
async def client(services):
    await seed_demo(services)
    c = TestClient(TestServer(create_app(services)))
    await c.start_server()
    yield c
    await c.close()


async def test_page_lists_demo_customers_and_the_menu(client):
    resp = await client.get("/playground")
    html = await resp.text()
    assert resp.status == 200
    assert "demo-openid-01" in html and "新关注的用户" in html
    assert 'data-key="MENU_REPAIR"' in html and "人工客服" in html
    work = await (await client.get("/playground?as=work")).text()
    assert "G001" in work and "E001" in work


async def test_a_message_takes_the_real_mp_path(client, services):
    resp = await client.post(
        "/playground/api/mp", json={"openid": "demo-openid-01", "text": "你好"}, headers=H
    )
    data = await resp.json()
    assert resp.status == 200 and data["ok"], data
    assert data["replies"] and data["replies"][0]["text"]
    async with services.db.session() as s:
        rows = list(
            await s.scalars(
                select(InboundMessage).where(InboundMessage.from_user == "demo-openid-01")
            )
        )
    assert len(rows) == 1 and rows[0].channel == "mp"  # recorded by the webhook's dedup


async def test_menu_click_and_new_follower(client, services):
    resp = await client.post(
        "/playground/api/mp",
        json={"openid": "demo-openid-02", "event": "CLICK", "key": "MENU_REPAIR"},
        headers=H,
    )
    data = await resp.json()
    assert data["ok"] and data["replies"], data
    resp = await client.post("/playground/api/mp", json={"event": "subscribe"}, headers=H)
    data = await resp.json()
    openid = resp.headers["X-Openid"]
    assert openid.startswith("pg-new-")
    assert data["ok"] and data["replies"], data
    async with services.db.session() as s:
        types = set(
            await s.scalars(
                select(InboundMessage.msg_type).where(InboundMessage.from_user == openid)
            )
        )
    assert types  # the subscribe event went through the webhook


async def test_a_guide_talks_to_the_work_app(client):
    resp = await client.post(
        "/playground/api/work", json={"userid": "G001", "text": "任务"}, headers=H
    )
    data = await resp.json()
    assert resp.status == 200 and data["ok"], data
    assert data["replies"] and data["replies"][0]["text"]


async def test_later_messages_appear_in_the_feed(client, services):
    first = await (await client.get("/playground/api/feed?to=demo-openid-05&history=1")).json()
    async with services.db.transaction() as s:
        row = await outbox_repo.enqueue(
            s, channel="mp_kf", recipient="demo-openid-05", text="师傅已出发", kind="service"
        )
        await outbox_repo.enqueue(
            s, channel="mp_kf", recipient="demo-openid-06", text="别人的消息", kind="service"
        )
    feed = await (
        await client.get(f"/playground/api/feed?to=demo-openid-05&after={first['cursor']}")
    ).json()
    assert [i["text"] for i in feed["items"]] == ["师傅已出发"]
    assert feed["cursor"] == row.id


async def test_requests_without_the_playground_header_are_refused(client):
    resp = await client.post("/playground/api/mp", json={"openid": "demo-openid-01", "text": "hi"})
    assert resp.status == 403
    resp = await client.post("/playground/api/mp", json={"openid": "demo-openid-01"}, headers=H)
    assert resp.status == 400


async def test_a_slow_reply_arrives_later_through_the_feed(db_path, monkeypatch):
    import asyncio

    import bot.dialog
    from bot.context import build_services
    from bot.messages import Reply
    from tests.conftest import NOW, make_settings

    async def slow(services, inbound):
        await asyncio.sleep(0.6)
        return Reply(text="让您久等了，这是迟到的回复")

    monkeypatch.setattr(bot.dialog, "respond", slow)
    svc = build_services(make_settings(db_path, mp={"reply_budget_s": 0.2}), now=NOW)
    await seed_demo(svc)
    c = TestClient(TestServer(create_app(svc)))
    await c.start_server()
    try:
        start = await (await c.get("/playground/api/feed?to=demo-openid-09&history=1")).json()
        resp = await c.post(
            "/playground/api/mp", json={"openid": "demo-openid-09", "text": "在吗"}, headers=H
        )
        data = await resp.json()
        assert data["ok"] and data["replies"] == []  # WeChat got an empty 200 in time
        items: list = []
        for _ in range(50):  # the late reply is queued as a customer-service message
            feed = await (
                await c.get(f"/playground/api/feed?to=demo-openid-09&after={start['cursor']}")
            ).json()
            items = feed["items"]
            if items:
                break
            await asyncio.sleep(0.1)
        assert [i["text"] for i in items] == ["让您久等了，这是迟到的回复"]
        assert items[0]["kind"] == "reply"
    finally:
        await c.close()
        await svc.close()
