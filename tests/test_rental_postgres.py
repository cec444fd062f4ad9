"""A unit is never rented twice at once (issue 20), on PostgreSQL: two customers confirming the
last fridge at the same moment get one contract; two transactions racing for the same unit
claim it once; the database itself refuses a second live contract for a unit."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from test_dialog_helpers import advance, reply, rows, say

from bot.context import build_services
from storage.models import Customer, RentalContract, RentalUnit, Store
from storage.repos import rentals
from tests.conftest import NOW, make_settings

pytestmark = pytest.mark.postgres
ADDRESS = "上海市徐汇区宜山路100弄5号302室"


async def _world(svc) -> int:
    async with svc.db.transaction() as s:
        store = Store(code="S001", name="徐汇店", city="上海", address="上海市徐汇区漕溪北路88号")
        s.add(store)
        await s.flush()
        unit = RentalUnit(
            code="LAST-1",
            store_id=store.id,
            category="冰箱",
            brand="海尔",
            grade="A",
            monthly_fee_fen=9900,
            deposit_fen=30000,
        )
        s.add(unit)
        await s.flush()
        return unit.id


@pytest.fixture
async def pg_services(pg_url):
    svc = build_services(make_settings(Path("unused.db"), database={"url": pg_url}), now=NOW)
    try:
        yield svc
    finally:
        await svc.close()


async def test_two_customers_confirming_the_last_unit_at_once_get_one_contract(pg_services):
    svc = pg_services
    await _world(svc)
    users = {"o-pg-a": "13812345670", "o-pg-b": "13812345671"}
    for user, phone in users.items():
        for text in ("租台冰箱", "3个月", "徐汇区", "是", "明天上午", ADDRESS, phone):
            advance(svc, 1)
            await say(svc, text, user=user)
    advance(svc, 1)
    answers = await asyncio.gather(*(reply(svc, "确认", user) for user in users))
    texts = sorted(a.text for a in answers)
    assert sum("租好啦" in t for t in texts) == 1, texts
    assert sum("刚刚被别人租走了" in t for t in texts) == 1, texts
    [contract] = await rows(svc, RentalContract)
    [unit] = await rows(svc, RentalUnit)
    assert unit.state == "rented" and contract.unit_id == unit.id


async def test_two_transactions_racing_for_a_unit_claim_it_once(pg_services):
    svc = pg_services
    unit_id = await _world(svc)
    first_claimed = asyncio.Event()
    release = asyncio.Event()

    async def first() -> bool:
        async with svc.db.transaction() as s:
            got = await rentals.claim(s, unit_id, NOW)
            first_claimed.set()
            await release.wait()  # hold the row while the other one tries
            return got

    async def second() -> bool:
        await first_claimed.wait()
        async with svc.db.transaction() as s:
            return await rentals.claim(s, unit_id, NOW)

    a = asyncio.create_task(first())
    b = asyncio.create_task(second())
    await first_claimed.wait()
    await asyncio.sleep(0.2)  # let the second block on the row lock
    assert not b.done()
    release.set()
    assert await a is True
    assert await b is False


async def test_the_database_refuses_a_second_live_contract_for_a_unit(pg_services):
    svc = pg_services
    unit_id = await _world(svc)
    async with svc.db.transaction() as s:
        c = Customer(name="甲")
        s.add(c)
        await s.flush()
        unit = await s.get(RentalUnit, unit_id)
        await rentals.create_contract(
            s, customer_id=c.id, unit=unit, start_on=NOW.date(), months=1, now=NOW, source_key=None
        )
    with pytest.raises(IntegrityError):
        async with svc.db.transaction() as s:
            unit = await s.get(RentalUnit, unit_id)
            cid = await s.scalar(select(Customer.id))
            await rentals.create_contract(
                s,
                customer_id=cid,
                unit=unit,
                start_on=NOW.date(),
                months=1,
                now=NOW,
                source_key=None,
            )
