"""The demo world that ``wxbot demo seed`` builds: two stores, four guides, about thirty
customers, and the moments a service team cares about, all dated relative to today.

Seeding twice changes nothing: an existing demo world is left as it is.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from bot.context import Services
from storage.models import (
    ChannelIdentity,
    ConsumableStage,
    Customer,
    Device,
    Group,
    RentalUnit,
    ServiceTicket,
    Staff,
    Store,
    Supply,
    TicketEvent,
)

SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何林罗高"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "秀英",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "霞",
    "平",
]
# Streets and communities by district, so that every demo address is one that exists on a map.
STREETS = {
    "徐汇区": ["漕溪北路", "天钥桥路", "宜山路", "龙华中路"],
    "浦东新区": ["张杨路", "世纪大道", "锦绣路", "东方路"],
}
COMMUNITIES = {
    "徐汇区": ["阳光花园", "汇景苑", "徐汇新城"],
    "浦东新区": ["梅园新村", "锦华小区", "东方城市花园"],
}
OTHER_DEVICES = [
    ("洗衣机", "小天鹅", "TG100V88WMADY5", 36),
    ("电视", "小米", "L65M7-EA", 12),
    ("热水器", "A.O.史密斯", "E60VN3", 36),
    ("燃气灶", "老板", "30B3X", 24),
    ("空调", "美的", "KFR-35GW/N8MJA3", 72),
    ("冰箱", "西门子", "KA92NV02TI", 12),
]
PURIFIER_STAGES = [
    ("pp", "PP棉滤芯", 180),
    ("carbon", "活性炭滤芯", 365),
    ("ro", "RO反渗透膜", 730),
]


@dataclass
class SeedResult:
    created: bool
    customers: int


def _openid(i: int) -> str:
    return f"demo-openid-{i:02d}"


def _years_ago(today: date, years: int, days: int = 0) -> date:
    try:
        d = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        d = today.replace(year=today.year - years, day=28)
    return d - timedelta(days=days)


def _birthday_in(today: date, days: int, age: int) -> date:
    d = today + timedelta(days=days)
    return _years_ago(d, age)


async def seed_demo(services: Services) -> SeedResult:
    """Build the demo world once. Returns whether anything was written."""
    today = services.clock.local_now().date()
    account = services.settings.mp.app_id
    tz = services.settings.tz
    rng = random.Random(20261125)
    async with services.db.transaction() as s:
        if await s.scalar(select(Store.id).where(Store.code == "S001")) is not None:
            count = len((await s.scalars(select(Customer.id))).all())
            return SeedResult(False, count)
        xuhui = Store(
            code="S001",
            name="万家电器·徐汇店",
            city="上海",
            address="上海市徐汇区漕溪北路88号",
            phone="021-64001234",
        )
        pudong = Store(
            code="S002",
            name="万家电器·浦东店",
            city="上海",
            address="上海市浦东新区张杨路500号",
            phone="021-58005678",
        )
        s.add_all([xuhui, pudong])
        await s.flush()
        staff = [
            Staff(store_id=xuhui.id, name="王丽", role="guide", wecom_userid="G001"),
            Staff(store_id=xuhui.id, name="李娜", role="guide", wecom_userid="G002"),
            Staff(store_id=pudong.id, name="张强", role="guide", wecom_userid="G003"),
            Staff(store_id=pudong.id, name="赵敏", role="guide", wecom_userid="G004"),
            Staff(store_id=xuhui.id, name="刘师傅", role="engineer", wecom_userid="E001"),
            Staff(store_id=pudong.id, name="陈师傅", role="engineer", wecom_userid="E002"),
            Staff(store_id=xuhui.id, name="周店长", role="manager", wecom_userid="M001"),
            Staff(store_id=pudong.id, name="吴店长", role="manager", wecom_userid="M002"),
        ]
        s.add_all(staff)
        await s.flush()
        guides = staff[:4]

        customers: list[Customer] = []
        for i in range(1, 31):
            guide = guides[(i - 1) % 4]
            store = xuhui if guide.store_id == xuhui.id else pudong
            name = SURNAMES[(i * 7) % len(SURNAMES)] + GIVEN[(i * 3) % len(GIVEN)]
            district = "徐汇区" if store is xuhui else "浦东新区"
            streets, communities = STREETS[district], COMMUNITIES[district]
            community = communities[i % len(communities)]
            c = Customer(
                name=name,
                phone=f"1390021{i:04d}",
                city="上海",
                address=f"上海市{district}{streets[i % len(streets)]}{community}{i % 12 + 1}号楼{100 + i * 3}室",
                birthday=_birthday_in(today, rng.randint(40, 360), rng.randint(25, 70)),
                store_id=store.id,
                guide_id=guide.id,
                home_since=_years_ago(today, rng.randint(1, 8), rng.randint(30, 300)),
                source="demo",
                last_inbound_at=None,
            )
            customers.append(c)
        # Birthdays in the coming days.
        customers[6].birthday = _birthday_in(today, 2, 34)
        customers[13].birthday = _birthday_in(today, 5, 61)
        customers[20].birthday = _birthday_in(today, 1, 45)
        s.add_all(customers)
        await s.flush()
        for i, c in enumerate(customers, start=1):
            s.add(
                ChannelIdentity(
                    customer_id=c.id, channel="mp", account=account, external_id=_openid(i)
                )
            )

        # 1. A water purifier whose PP filter is due next week.
        purifier = Device(
            customer_id=customers[0].id,
            category="净水器",
            brand="美的",
            model="MRO1891-400G",
            serial="DEMO-WP-0001",
            purchase_date=today - timedelta(days=540),
            install_date=today - timedelta(days=538),
            warranty_months=24,
            location="厨房",
        )
        s.add(purifier)
        await s.flush()
        replaced = {
            "pp": today - timedelta(days=180 - 6),
            "carbon": today - timedelta(days=175),
            "ro": today - timedelta(days=538),
        }
        for stage, name, life in PURIFIER_STAGES:
            s.add(
                ConsumableStage(
                    device_id=purifier.id,
                    stage=stage,
                    name=name,
                    life_days=life,
                    last_replaced_on=replaced[stage],
                )
            )

        # 2. An 11-year-old air conditioner.
        s.add(
            Device(
                customer_id=customers[1].id,
                category="空调",
                brand="格力",
                model="KFR-35GW/NhAa1",
                serial="DEMO-AC-0002",
                purchase_date=_years_ago(today, 11, 40),
                install_date=_years_ago(today, 11, 38),
                warranty_months=72,
                location="客厅",
            )
        )
        # 3. A fridge whose warranty ends within a month (12 months from purchase, 20 days left).
        s.add(
            Device(
                customer_id=customers[2].id,
                category="冰箱",
                brand="海尔",
                model="BCD-470WDPG",
                serial="DEMO-FR-0003",
                purchase_date=_years_ago(today, 1) + timedelta(days=20),
                warranty_months=12,
                location="厨房",
            )
        )
        # 4. A family whose baby formula runs out in about ten days: 2 × 800 g at 60 g a day.
        customers[3].baby_birthday = today - timedelta(days=300)
        s.add(
            Supply(
                customer_id=customers[3].id,
                product="飞鹤星飞帆3段 800g",
                category="奶粉",
                pack_size=800,
                packs=2,
                daily_use=60,
                started_on=today - timedelta(days=17),
            )
        )
        # 5. One open repair ticket: a range hood with weak suction, engineer booked tomorrow afternoon.
        hood = Device(
            customer_id=customers[4].id,
            category="油烟机",
            brand="方太",
            model="CXW-258-EMD20T",
            serial="DEMO-RH-0005",
            purchase_date=_years_ago(today, 3, 10),
            warranty_months=60,
            location="厨房",
        )
        s.add(hood)
        await s.flush()
        tomorrow = today + timedelta(days=1)
        ticket = ServiceTicket(
            number=f"R{today:%Y%m%d}-0001",
            kind="repair",
            customer_id=customers[4].id,
            device_id=hood.id,
            category="油烟机",
            brand="方太",
            model=hood.model,
            symptom="吸力小",
            address=customers[4].address,
            phone=customers[4].phone,
            window_start=datetime.combine(tomorrow, time(14, 0), tz),
            window_end=datetime.combine(tomorrow, time(16, 0), tz),
            status="assigned",
            store_id=customers[4].store_id,
            engineer_id=staff[4].id if customers[4].store_id == xuhui.id else staff[5].id,
        )
        s.add(ticket)
        await s.flush()
        s.add_all(
            [
                TicketEvent(ticket_id=ticket.id, status="open", actor="customer"),
                TicketEvent(ticket_id=ticket.id, status="assigned", actor="system"),
            ]
        )
        # Everyone else owns one or two ordinary appliances.
        for i, c in enumerate(customers[5:], start=6):
            for j in range(1 + i % 2):
                cat, brand, model, warranty = OTHER_DEVICES[(i + j) % len(OTHER_DEVICES)]
                bought = today - timedelta(days=rng.randint(60, 2500))
                s.add(
                    Device(
                        customer_id=c.id,
                        category=cat,
                        brand=brand,
                        model=model,
                        serial=f"DEMO-{i:02d}{j}-{rng.randint(1000, 9999)}",
                        purchase_date=bought,
                        install_date=bought + timedelta(days=2),
                        warranty_months=warranty,
                    )
                )
        # One community group with its robot.
        s.add(Group(name="阳光花园业主群", store_id=xuhui.id, robot_key="sandbox-robot-key-a"))
        # Refurbished units to rent (租赁) in both stores.
        s.add_all(
            RentalUnit(
                code=code,
                store_id=store.id,
                category=cat,
                brand=brand,
                model=model,
                grade=grade,
                state="in_stock",
                monthly_fee_fen=fee * 100,
                deposit_fen=deposit * 100,
                residual_fen=residual * 100,
                source="demo",
            )
            for code, store, cat, brand, model, grade, fee, deposit, residual in (
                ("RU-XH-AC1", xuhui, "空调", "格力", "KFR-26GW", "A", 129, 500, 900),
                ("RU-XH-FR1", xuhui, "冰箱", "海尔", "BCD-216", "B", 89, 300, 500),
                ("RU-XH-WM1", xuhui, "洗衣机", "小天鹅", "TB80", "B", 69, 200, 400),
                ("RU-PD-AC1", pudong, "空调", "美的", "KFR-35GW", "A", 139, 500, 1000),
                ("RU-PD-AC2", pudong, "空调", "海尔", "KFR-26GW", "B", 109, 400, 700),
                ("RU-PD-FR1", pudong, "冰箱", "美的", "BCD-186", "A", 99, 300, 600),
            )
        )
        return SeedResult(True, len(customers))
