"""A store manager dispatches from the ticket page: engineer, visit window, cancel with a
reason; the engineer hears it in WeCom and the customer in the Official Account; overdue
visits are flagged."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.app import create_app
from bot.demo import seed_demo
from storage.models import ChannelIdentity, OutboxMessage, ServiceTicket, Staff
from tests.test_admin_auth import _hidden, login


@pytest.fixture
async def client(services):
    await seed_demo(services)
    c = TestClient(TestServer(create_app(services)))
    await c.start_server()
    assert (await login(c)).status == 303
    yield c
    await c.close()


async def _ticket(services) -> ServiceTicket:
    """The demo's open repair: assigned to 刘师傅 (E001) or 陈师傅 (E002), due tomorrow."""
    async with services.db.session() as s:
        return await s.scalar(select(ServiceTicket).order_by(ServiceTicket.id))


async def _post(client, ticket_id: int, action: str, **data) -> str:
    page = await client.get(f"/admin/tickets/{ticket_id}")
    data["csrf"] = _hidden(await page.text(), "csrf")
    resp = await client.post(f"/admin/tickets/{ticket_id}/{action}", data=data)
    assert resp.status == 200
    return await resp.text()


async def _sent(services, recipient: str) -> list[str]:
    async with services.db.session() as s:
        rows = await s.scalars(
            select(OutboxMessage.text)
                .where(OutboxMessage.recipient == recipient)
                .order_by(OutboxMessage.id)
        )  # fmt: skip
        return [t or "" for t in rows]


async def _openid(services, customer_id: int) -> str:
    async with services.db.session() as s:
        return await s.scalar(
            select(ChannelIdentity.external_id).where(
                ChannelIdentity.customer_id == customer_id, ChannelIdentity.channel == "mp"
            )
        )


async def _colleague(services, ticket: ServiceTicket, userid: str, name: str, store=None) -> int:
    async with services.db.transaction() as s:
        person = Staff(
            store_id=store if store is not None else ticket.store_id,
            name=name,
            role="engineer",
            wecom_userid=userid,
        )
        s.add(person)
        await s.flush()
        return person.id


async def test_changing_the_engineer_tells_both_engineers_and_the_customer(client, services):
    ticket = await _ticket(services)
    async with services.db.session() as s:
        first = await s.get(Staff, ticket.engineer_id)
    new_id = await _colleague(services, ticket, "E009", "王")
    html = await _post(client, ticket.id, "engineer", engineer=str(new_id))
    assert "已派单" in html
    async with services.db.session() as s:
        assert (await s.get(ServiceTicket, ticket.id)).engineer_id == new_id
    [job] = await _sent(services, "E009")
    assert job.startswith("【新派单】") and ticket.number in job and "地址" in job
    assert any("已改派" in t for t in await _sent(services, first.wecom_userid))
    told = await _sent(services, await _openid(services, ticket.customer_id))
    assert any("改由王师傅上门" in t and ticket.number in t for t in told), told
    assert "改派给王师傅" in await (await client.get(f"/admin/tickets/{ticket.id}")).text()


async def test_an_engineer_of_another_store_is_refused(client, services):
    ticket = await _ticket(services)
    async with services.db.session() as s:
        other_store = await s.scalar(
            select(Staff.store_id).where(Staff.store_id != ticket.store_id).limit(1)
        )
    stranger = await _colleague(services, ticket, "E010", "赵", store=other_store)
    html = await _post(client, ticket.id, "engineer", engineer=str(stranger))
    assert "只能派给本店的师傅" in html
    async with services.db.session() as s:
        assert (await s.get(ServiceTicket, ticket.id)).engineer_id != stranger
    assert await _sent(services, "E010") == []


async def test_moving_the_visit_asks_the_customer_and_tells_the_engineer(client, services):
    ticket = await _ticket(services)
    day = (services.clock.local_now() + timedelta(days=3)).date()
    html = await _post(client, ticket.id, "window", day=day.isoformat(), start="09:00", end="11:00")
    assert "上门时间已改" in html
    async with services.db.session() as s:
        fresh = await s.get(ServiceTicket, ticket.id)
        engineer = await s.get(Staff, fresh.engineer_id)
    local = fresh.window_start.astimezone(services.settings.tz)
    assert (local.date(), local.hour) == (day, 9)
    new = f"{day.month}月{day.day}日 09:00-11:00"
    told = await _sent(services, await _openid(services, ticket.customer_id))
    assert any(new in t and "回复“可以”" in t for t in told), told
    assert any("【改期】" in t and new in t for t in await _sent(services, engineer.wecom_userid))


async def test_a_visit_cannot_move_into_the_past(client, services):
    ticket = await _ticket(services)
    day = (services.clock.local_now() - timedelta(days=1)).date()
    html = await _post(client, ticket.id, "window", day=day.isoformat(), start="09:00", end="11:00")
    assert "已经过去" in html
    async with services.db.session() as s:
        assert (await s.get(ServiceTicket, ticket.id)).window_start == ticket.window_start


async def test_cancelling_needs_a_reason_and_tells_it(client, services):
    ticket = await _ticket(services)
    assert "请写上取消的原因" in await _post(client, ticket.id, "cancel", reason="  ")
    html = await _post(client, ticket.id, "cancel", reason="顾客已自行修好")
    assert "工单已取消" in html
    async with services.db.session() as s:
        fresh = await s.get(ServiceTicket, ticket.id)
        engineer = await s.get(Staff, fresh.engineer_id)
    assert fresh.status == "cancelled"
    told = await _sent(services, await _openid(services, ticket.customer_id))
    assert any("已取消（顾客已自行修好）" in t for t in told), told
    assert any(
        "【取消】" in t and "自行修好" in t for t in await _sent(services, engineer.wecom_userid)
    )
    assert "改期并通知" not in await (await client.get(f"/admin/tickets/{ticket.id}")).text()


async def test_a_visit_whose_day_has_passed_is_flagged(client, services):
    ticket = await _ticket(services)
    assert "逾期" not in await (await client.get("/admin/tickets")).text()
    async with services.db.transaction() as s:
        t = await s.get(ServiceTicket, ticket.id)
        t.window_start = services.clock.now() - timedelta(days=1, hours=2)
        t.window_end = services.clock.now() - timedelta(days=1)
    assert "逾期" in await (await client.get("/admin/tickets")).text()
    assert "上门时间已过" in await (await client.get(f"/admin/tickets/{ticket.id}")).text()
    assert "有 1 张工单上门时间已过" in await (await client.get("/admin")).text()


async def _row_id(services, model) -> int:
    async with services.db.session() as s:
        return await s.scalar(select(model.id).order_by(model.id))


async def _move(client, where: str, row_id: int, status: str) -> str:
    page = await client.get(f"/admin/{where}")
    token = _hidden(await page.text(), "csrf")
    resp = await client.post(
        f"/admin/{where}/{row_id}/status", data={"csrf": token, "status": status}
    )
    assert resp.status == 200
    return await resp.text()


async def test_an_order_is_paid_and_shipped_and_the_customer_hears_of_it(client, services):
    from storage.models import ConsumableOrder

    order_id = await _order(services)
    assert "已付款" in await _move(client, "orders", order_id, "paid")
    await _move(client, "orders", order_id, "shipped")
    async with services.db.session() as s:
        order = await s.get(ConsumableOrder, order_id)
    assert order.status == "shipped"
    told = await _sent(services, await _openid(services, order.customer_id))
    assert any(order.number in t and "已发货" in t for t in told), told
    html = await (await client.get(f"/admin/customers/{order.customer_id}")).text()
    assert "操作记录" in html and "管理员 admin · 耗材订单 · 已付款 → 已发货" in html


async def test_a_step_out_of_order_is_refused(client, services):
    from storage.models import ConsumableOrder

    order_id = await _order(services)
    html = await _move(client, "orders", order_id, "done")
    assert "不能改成“已完成”" in html
    async with services.db.session() as s:
        assert (await s.get(ConsumableOrder, order_id)).status == "placed"


async def test_a_lead_is_won_from_the_admin(client, services):
    from storage.models import SalesLead

    async with services.db.transaction() as s:
        store_id = await s.scalar(select(Staff.store_id).limit(1))
        lead = SalesLead(store_id=store_id, customer_name="张伟", interest="想换冰箱")
        s.add(lead)
        await s.flush()
        lead_id = lead.id
    await _move(client, "leads", lead_id, "contacted")
    html = await _move(client, "leads", lead_id, "won")
    assert "已成交" in html
    async with services.db.session() as s:
        assert (await s.get(SalesLead, lead_id)).status == "won"


async def _order(services) -> int:
    """A purifier filter order from the demo customer who has a purifier."""
    from storage.models import ConsumableOrder

    async with services.db.transaction() as s:
        customer_id = await s.scalar(
            select(ChannelIdentity.customer_id).where(ChannelIdentity.channel == "mp").limit(1)
        )
        order = ConsumableOrder(
            number="F20261125-0099",
            customer_id=customer_id,
            items=[{"stage": "pp", "name": "PP棉滤芯", "qty": 1, "price_fen": 3900}],
            total_fen=3900,
        )
        s.add(order)
        await s.flush()
        return order.id
