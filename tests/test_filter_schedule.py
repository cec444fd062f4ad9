"""Filter stages: which are due, at what price, and how a recorded replacement moves them."""

from __future__ import annotations

from datetime import date

from handlers.catalog import Catalog, Purifier, Stage
from handlers.filter_schedule import (
    device_schedule,
    due,
    next_due,
    record_replacement,
    schedule,
    total_fen,
)
from storage.models import ConsumableStage, Customer, Device
from storage.repos import devices

TODAY = date(2026, 11, 25)
PURIFIER = Purifier(
    "沁园",
    "QR-R5-05",
    (
        Stage("pp", "PP棉滤芯", 6, 6900),
        Stage("carbon", "前置活性炭滤芯", 12, 9900),
        Stage("ro", "RO反渗透膜", 24, 39900),
        Stage("post", "后置活性炭滤芯", 12, 7900),
    ),
)


def by_key(stages):
    return {s.key: s for s in stages}


def test_life_in_months_becomes_days():
    assert [s.life_days for s in PURIFIER.stages] == [182, 365, 730, 365]


def test_never_replaced_stages_count_from_the_install_date():
    st = by_key(schedule(PURIFIER, [], date(2026, 1, 10), TODAY, 15))
    assert st["pp"].due_on == date(2026, 7, 11) and st["pp"].due
    assert st["pp"].days_left == -137
    assert st["carbon"].due_on == date(2027, 1, 10) and st["carbon"].days_left == 46
    assert not st["carbon"].due and not st["ro"].due and not st["post"].due
    assert [s.key for s in due(st.values())] == ["pp"]


def test_a_stage_due_within_the_look_ahead_window_is_offered():
    st = by_key(schedule(PURIFIER, [], date(2025, 12, 5), TODAY, 15))
    assert st["carbon"].days_left == 10 and st["carbon"].due
    assert st["post"].due
    assert not st["ro"].due
    assert total_fen(due(st.values())) == 6900 + 9900 + 7900
    assert total_fen(due(st.values()), qty=2) == 2 * (6900 + 9900 + 7900)


def test_recorded_replacements_win_over_the_install_date():
    rows = [
        ConsumableStage(stage="pp", name="PP", life_days=180, last_replaced_on=date(2026, 11, 1))
    ]
    st = by_key(schedule(PURIFIER, rows, date(2025, 1, 1), TODAY, 15))
    assert st["pp"].due_on == date(2027, 4, 30) and not st["pp"].due
    # the others still count from the install date: RO 2025-01-01 + 730 days
    assert st["ro"].due_on == date(2027, 1, 1) and st["ro"].days_left == 37
    assert not st["ro"].due
    assert st["carbon"].due and st["post"].due


def test_stages_without_any_date_are_due_and_say_so():
    st = schedule(PURIFIER, [], None, TODAY, 15)
    assert all(s.due and s.due_on is None for s in st)
    assert st[0].line() == "PP棉滤芯 ¥69.00（未记录更换时间）"


def test_lines_read_naturally():
    st = by_key(schedule(PURIFIER, [], date(2026, 1, 10), TODAY, 15))
    assert st["pp"].line() == "PP棉滤芯 ¥69.00（已超期137天）"
    assert st["carbon"].line() == "前置活性炭滤芯 ¥99.00（46天后到期）"
    assert next_due(st.values()).key == "pp"


def test_stages_only_the_device_knows_are_listed_without_a_price():
    rows = [
        ConsumableStage(stage="uv", name="UV灯", life_days=365, last_replaced_on=date(2025, 1, 1))
    ]
    st = by_key(schedule(None, rows, None, TODAY, 15))
    assert st["uv"].price_fen is None and st["uv"].due
    assert st["uv"].line() == "UV灯（已超期328天）"


async def test_recording_a_replacement_moves_the_next_due_date(services):
    catalog = Catalog.of(services.settings)
    async with services.db.transaction() as s:
        c = Customer(name="李先生", phone="13900000001")
        s.add(c)
        await s.flush()
        d = Device(
            customer_id=c.id,
            category="净水器",
            brand="沁园",
            model="QR-R5-05",
            install_date=date(2025, 11, 1),
        )
        s.add(d)
        await s.flush()
        device_id, customer_id = d.id, c.id
    async with services.db.session() as s:
        d = await devices.get_for_customer(s, customer_id, device_id)
        before = by_key(device_schedule(catalog, d, TODAY))
    assert before["pp"].due and before["carbon"].due and before["post"].due
    assert not before["ro"].due
    async with services.db.transaction() as s:
        d = await devices.get_for_customer(s, customer_id, device_id)
        await record_replacement(s, catalog, d, ["pp", "carbon", "post"], TODAY)
    async with services.db.session() as s:
        d = await devices.get_for_customer(s, customer_id, device_id)
        after = by_key(device_schedule(catalog, d, TODAY))
        assert {r.stage: r.last_replaced_on for r in d.stages} == {
            "pp": TODAY,
            "carbon": TODAY,
            "post": TODAY,
        }
    assert after["pp"].due_on == date(2027, 5, 26) and not after["pp"].due
    assert after["carbon"].due_on == date(2027, 11, 25)
    assert after["ro"].due_on == before["ro"].due_on
    # recording again updates the same rows
    async with services.db.transaction() as s:
        d = await devices.get_for_customer(s, customer_id, device_id)
        await record_replacement(s, catalog, d, ["pp"], date(2026, 12, 1))
    async with services.db.session() as s:
        d = await devices.get_for_customer(s, customer_id, device_id)
        assert len(d.stages) == 3
        assert by_key(device_schedule(catalog, d, TODAY))["pp"].due_on == date(2027, 6, 1)
