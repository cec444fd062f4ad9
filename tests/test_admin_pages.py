"""The console's pages over the demo world: every page renders, a ticket moves, a dead letter retries."""

from __future__ import annotations

import re

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.app import create_app
from bot.demo import seed_demo
from storage.models import ChannelIdentity, OutboxMessage, ServiceTicket
from storage.repos import outbox as outbox_repo
from tests.test_admin_auth import _hidden, login


@pytest.fixture
async def client(services):
    await seed_demo(services)
    c = TestClient(TestServer(create_app(services)))
    await c.start_server()
    assert (await login(c)).status == 303
    yield c
    await c.close()


PAGES = {
    "/admin": "每日会话",
    "/admin/customers": "客户",
    "/admin/customers?q=1390021": "客户",
    "/admin/tickets": "服务工单",
    "/admin/tickets?status=open": "服务工单",
    "/admin/trade-ins": "以旧换新申请",
    "/admin/orders": "耗材订单",
    "/admin/leads": "销售商机",
    "/admin/outbox": "发件箱",
    "/admin/outbox?status=dead": "发件箱",
    "/admin/care": "关怀日历",
}


async def test_every_page_renders_in_chinese(client):
    for path, heading in PAGES.items():
        resp = await client.get(path)
        html = await resp.text()
        assert resp.status == 200, (path, html[:500])
        assert heading in html, path
        assert resp.headers["X-Frame-Options"] == "DENY"
        assert not re.search(r'(src|href)="(https?:)?//', html), path  # nothing external


async def test_customer_page_shows_devices_and_tickets(client, services):
    async with services.db.session() as s:
        ticket = await s.scalar(select(ServiceTicket).order_by(ServiceTicket.id))
    assert ticket is not None
    resp = await client.get(f"/admin/customers/{ticket.customer_id}")
    html = await resp.text()
    assert resp.status == 200
    assert ticket.number in html
    assert "设备" in html
    assert (await client.get("/admin/customers/999999")).status == 404


async def test_customer_search_finds_by_phone(client):
    html = await (await client.get("/admin/customers?q=13900210007")).text()
    assert "共 1 位" in html


async def test_status_change_tells_the_customer_and_asks_for_a_rating(client, services):
    async with services.db.session() as s:
        ticket = await s.scalar(
            select(ServiceTicket)
            .join(ChannelIdentity, ChannelIdentity.customer_id == ServiceTicket.customer_id)
            .where(ServiceTicket.status != "done", ChannelIdentity.channel == "mp")
            .order_by(ServiceTicket.id)
        )
        assert ticket is not None
        openid = await s.scalar(
            select(ChannelIdentity.external_id).where(
                ChannelIdentity.customer_id == ticket.customer_id, ChannelIdentity.channel == "mp"
            )
        )
    page = await client.get(f"/admin/tickets/{ticket.id}")
    token = _hidden(await page.text(), "csrf")
    forged = await client.post(
        f"/admin/tickets/{ticket.id}/status", data={"status": "done"}, allow_redirects=False
    )
    assert forged.status == 403
    resp = await client.post(
        f"/admin/tickets/{ticket.id}/status", data={"status": "done", "csrf": token}
    )
    html = await resp.text()
    assert resp.status == 200
    assert "状态已更新" in html and "已完成" in html
    async with services.db.session() as s:
        sent = list(await s.scalars(select(OutboxMessage).where(OutboxMessage.recipient == openid)))
        fresh = await s.get(ServiceTicket, ticket.id)
    assert fresh.status == "done"
    texts = [m.text or "" for m in sent]
    assert any(ticket.number in t and "星" in t for t in texts), texts
    assert all(m.status == "sent" for m in sent if ticket.number in (m.text or ""))


async def test_unknown_status_is_refused(client, services):
    async with services.db.session() as s:
        ticket = await s.scalar(select(ServiceTicket).order_by(ServiceTicket.id))
    page = await client.get(f"/admin/tickets/{ticket.id}")
    token = _hidden(await page.text(), "csrf")
    resp = await client.post(
        f"/admin/tickets/{ticket.id}/status", data={"status": "teleported", "csrf": token}
    )
    assert resp.status == 400


async def test_a_dead_letter_shows_its_reason_and_can_be_retried(client, services):
    async with services.db.transaction() as s:
        row = await outbox_repo.enqueue(
            s,
            channel="mp_kf",
            recipient="demo-openid-03",
            text="您好，滤芯该换了",
            kind="lifecycle",
        )
        row.status, row.last_error, row.attempts = "dead", "45015 response out of time limit", 5
        row_id = row.id
    page = await client.get("/admin/outbox?status=dead")
    html = await page.text()
    assert "45015 response out of time limit" in html and "重试" in html
    token = _hidden(html, "csrf")
    resp = await client.post(f"/admin/outbox/{row_id}/retry", data={"csrf": token, "back": "dead"})
    assert resp.status == 200
    assert "已重新排队发送" in await resp.text()
    async with services.db.session() as s:
        again = await s.get(OutboxMessage, row_id)
    assert again.status in ("pending", "sent")  # sandbox: the dispatcher marks it sent
    assert again.attempts <= 1


async def test_care_calendar_shows_the_planners_next_30_days(client):
    html = await (await client.get("/admin/care")).text()
    total = int(re.search(r"共 (\d+) 条", html).group(1))
    assert total > 0  # the demo world has birthdays and filters coming up
    assert "关怀计划预览出错" not in html


async def test_dashboard_counts_conversations_and_ratings(client, services):
    from storage.models import Rating

    H = {"X-Playground": "1"}
    for openid, text in [
        ("demo-openid-02", "你好"),
        ("demo-openid-02", "谢谢"),
        ("demo-openid-03", "你好"),
    ]:
        assert (
            await client.post(
                "/playground/api/mp", json={"openid": openid, "text": text}, headers=H
            )
        ).status == 200
    async with services.db.transaction() as s:
        ticket = await s.scalar(select(ServiceTicket).order_by(ServiceTicket.id))
        s.add(Rating(ticket_id=ticket.id, customer_id=ticket.customer_id, stars=4))
    html = await (await client.get("/admin")).text()
    assert "共收到 3 条消息" in html
    assert "<title>11-25: 2</title>" in html  # two people wrote today
    assert "1 条，平均 4.0 星" in html


async def test_trade_ins_orders_and_leads_show_their_rows(client, services):
    from storage.models import ConsumableOrder, SalesLead, Staff, TradeInRequest

    async with services.db.transaction() as s:
        guide = await s.scalar(select(Staff).where(Staff.wecom_userid == "G001"))
        s.add(
            TradeInRequest(
                number="T20261125-0001",
                customer_id=1,
                old_category="冰箱",
                old_brand="海尔",
                old_age_years=8,
                old_working=True,
                old_condition="一般",
                new_model="BCD-510WGHTD14S8U1",
                new_energy_grade=1,
                new_price_fen=399900,
                old_value_fen=26800,
                subsidy_fen=79980,
                pay_fen=293120,
            )
        )
        s.add(
            ConsumableOrder(
                number="F20261125-0001",
                customer_id=1,
                items=[{"stage": "pp", "name": "PP棉滤芯", "qty": 2, "price_fen": 6900}],
                total_fen=13800,
                with_install=True,
            )
        )
        s.add(
            SalesLead(
                store_id=guide.store_id,
                guide_id=guide.id,
                customer_name="张女士",
                interest="想换对开门冰箱",
                budget_fen=800000,
            )
        )
    html = await (await client.get("/admin/trade-ins")).text()
    assert "T20261125-0001" in html and "¥2,931.20" in html and "¥799.80" in html
    html = await (await client.get("/admin/orders")).text()
    assert "PP棉滤芯 ×2" in html and "¥138.00" in html
    html = await (await client.get("/admin/leads")).text()
    assert "张女士" in html and "想换对开门冰箱" in html and "¥8,000.00" in html and "王丽" in html
    html = await (await client.get("/admin/customers/1")).text()
    assert "T20261125-0001" in html and "F20261125-0001" in html
