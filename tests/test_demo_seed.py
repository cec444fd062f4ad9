"""The demo world has the moments the care rhythm and the playground need."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.demo import seed_demo
from storage.models import (
    ConsumableStage,
    Customer,
    Device,
    Group,
    ServiceTicket,
    Staff,
    Store,
    Supply,
)


async def test_demo_world_has_the_promised_moments(services):
    first = await seed_demo(services)
    second = await seed_demo(services)
    assert first.created and not second.created
    today = services.clock.local_now().date()
    async with services.db.session() as s:
        assert await s.scalar(select(func.count(Store.id))) == 2
        assert await s.scalar(select(func.count(Staff.id)).where(Staff.role == "guide")) == 4
        assert 25 <= await s.scalar(select(func.count(Customer.id))) <= 35
        pp = await s.scalar(select(ConsumableStage).where(ConsumableStage.stage == "pp"))
        due = pp.last_replaced_on + timedelta(days=pp.life_days)
        assert today < due <= today + timedelta(days=7)
        ac = await s.scalar(
            select(Device).where(Device.category == "空调", Device.serial == "DEMO-AC-0002")
        )
        assert (today - ac.purchase_date).days // 365 == 11
        fridge = await s.scalar(
            select(Device).where(Device.category == "冰箱", Device.serial == "DEMO-FR-0003")
        )
        end = fridge.purchase_date.replace(year=fridge.purchase_date.year + 1)
        assert today < end <= today + timedelta(days=31)
        formula = await s.scalar(select(Supply))
        runout = formula.started_on + timedelta(
            days=formula.pack_size * formula.packs // formula.daily_use
        )
        assert 8 <= (runout - today).days <= 12
        birthdays = [
            c.birthday for c in await s.scalars(select(Customer)) if c.birthday is not None
        ]
        soon = [b for b in birthdays if 0 < ((b.replace(year=today.year) - today).days % 366) <= 7]
        assert len(soon) >= 2
        open_tickets = (
            await s.scalars(select(ServiceTicket).where(ServiceTicket.status != "done"))
        ).all()
        assert len(open_tickets) == 1 and open_tickets[0].kind == "repair"
        assert await s.scalar(select(func.count(Group.id))) == 1


async def test_demo_addresses_put_each_street_in_its_own_district(services):
    """A store manager reading the demo sees 世纪大道 in 浦东新区 and 漕溪北路 in 徐汇区, never the
    other way round, and each customer lives in the district of their store."""
    await seed_demo(services)
    pudong_only = ("张杨路", "世纪大道", "锦绣路", "东方路")
    xuhui_only = ("漕溪北路", "天钥桥路", "宜山路", "龙华中路")
    async with services.db.session() as s:
        rows = (
            await s.execute(
                select(Customer.address, Store.name).join(Store, Store.id == Customer.store_id)
            )
        ).all()
    assert rows
    for address, store in rows:
        if "徐汇区" in address:
            assert not any(street in address for street in pudong_only), address
            assert "徐汇" in store, (address, store)
        elif "浦东新区" in address:
            assert not any(street in address for street in xuhui_only), address
            assert "浦东" in store, (address, store)
