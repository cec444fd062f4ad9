"""Ticket status: open tickets, trade-ins and orders with their status; nothing open."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from business_config import build
from test_dialog_helpers import say, seed_customer

from bot.context import Services
from storage.models import ConsumableOrder, ServiceTicket, TradeInRequest
from tests.conftest import NOW


@pytest.fixture
async def svc(settings) -> AsyncIterator[Services]:
    s = build(settings, NOW)
    yield s
    await s.close()


def ticket(cid: int, number: str, kind: str, status: str, **kw) -> ServiceTicket:
    return ServiceTicket(number=number, kind=kind, customer_id=cid, status=status, **kw)


async def test_nothing_open(svc):
    await seed_customer(svc, "u1")
    assert await say(svc, "我的工单进度") == (
        "您目前没有进行中的维修、以旧换新或订单～需要报修、换新或买滤芯，直接告诉我就行。"
    )


async def test_open_tickets_trade_ins_and_orders_are_listed_with_their_status(svc):
    cid = await seed_customer(svc, "u1")
    other = await seed_customer(svc, "u2")
    async with svc.db.transaction() as s:
        s.add(
            ticket(
                cid,
                "R20261124-0003",
                "repair",
                "assigned",
                category="空调",
                brand="格力",
                window_start=datetime(2026, 11, 26, 1, 0, tzinfo=UTC),
                window_end=datetime(2026, 11, 26, 3, 0, tzinfo=UTC),
            )
        )
        s.add(ticket(cid, "C20261001-0001", "cleaning", "done", category="油烟机"))
        s.add(ticket(other, "R20261124-0004", "repair", "open", category="冰箱"))
        visit = ticket(cid, "T20261125-0001", "trade_in", "open", category="空调")
        s.add(visit)
        await s.flush()
        s.add(
            TradeInRequest(
                number="T20261125-0001",
                customer_id=cid,
                old_category="空调",
                new_category="空调",
                new_model="美的 酷省电KFR-35GW-N8KS1-1",
                pay_fen=169920,
                ticket_id=visit.id,
            )
        )
        s.add(
            ConsumableOrder(
                number="F20261125-0001",
                customer_id=cid,
                total_fen=29600,
                with_install=True,
                items=[
                    {"stage": "pp", "name": "PP棉滤芯", "qty": 2, "price_fen": 5900},
                    {"stage": "carbon", "name": "活性炭滤芯", "qty": 2, "price_fen": 8900},
                ],
            )
        )
        s.add(ConsumableOrder(number="F20261001-0001", customer_id=cid, status="done", items=[]))
    assert await say(svc, "查一下进度") == (
        "您的进度：\n"
        "· 维修 R20261124-0003（格力 空调）：已派师傅，11月26日(周四) 09:00-11:00\n"
        "· 以旧换新 T20261125-0001（旧空调→美的 酷省电KFR-35GW-N8KS1-1）："
        "已提交，导购会联系您约上门，应付¥1,699.20\n"
        "· 滤芯订单 F20261125-0001（PP棉滤芯×2、活性炭滤芯×2，含上门安装）：已下单，准备发货，¥296.00"
    )


async def test_a_trade_in_shows_its_visit_progress(svc):
    cid = await seed_customer(svc, "u1")
    async with svc.db.transaction() as s:
        visit = ticket(cid, "T20261120-0002", "trade_in", "on_the_way", category="冰箱")
        s.add(visit)
        await s.flush()
        s.add(
            TradeInRequest(
                number="T20261120-0002",
                customer_id=cid,
                old_category="冰箱",
                new_category="冰箱",
                pay_fen=100000,
                ticket_id=visit.id,
            )
        )
    assert "T20261120-0002（旧冰箱→冰箱）：师傅在路上" in await say(svc, "进度查询")


async def test_when_nothing_is_open_the_last_finished_one_is_shown(svc):
    cid = await seed_customer(svc, "u1")
    async with svc.db.transaction() as s:
        s.add(ticket(cid, "C20261001-0001", "cleaning", "done", category="油烟机"))
    r = await say(svc, "我的工单进度")
    assert r.endswith("最近一次：清洗 C20261001-0001（油烟机）：已完成")
