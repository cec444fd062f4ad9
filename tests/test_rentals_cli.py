"""Rental operator commands (issue 20): ``wxbot import rentals`` (UTF-8 / GBK, row reports,
idempotent), ``wxbot rentals units|contracts|end|from-trade-in``."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from bot.cli import main
from bot.context import build_services
from bot.demo import seed_demo
from storage.models import (
    ChannelIdentity,
    Customer,
    RentalUnit,
    ServiceTicket,
    TradeInRequest,
)
from storage.repos import rentals
from tests.conftest import NOW

RENTALS = """编号,门店,品类,品牌,型号,成色,月租,押金,残值
RU-X1,S001,空调,格力,KFR-26GW,A,129,500,900
RU-X2,S002,冰箱,海尔,BCD-216,b,￥89.50,300元,
RU-X3,S999,冰箱,海尔,BCD-216,B,89,300,
RU-X4,S001,,海尔,BCD-216,B,89,300,
RU-X5,S001,冰箱,海尔,BCD-216,D,89,300,
RU-X6,S001,冰箱,海尔,BCD-216,B,八十九,300,
"""


def invoke(settings, *args):
    env = {"WXBOT_DATABASE__URL": settings.database.url}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def run(settings, coro_fn):
    async def go():
        services = build_services(settings, now=NOW)
        try:
            return await coro_fn(services)
        finally:
            await services.close()

    return asyncio.run(go())


def test_import_rentals_reports_bad_rows_and_is_idempotent(settings, tmp_path: Path):
    run(settings, seed_demo)
    path = tmp_path / "rentals.csv"
    path.write_bytes(RENTALS.encode("gbk"))
    out = invoke(settings, "import", "rentals", str(path))
    assert out.exit_code == 1
    lines = out.output.strip().splitlines()
    assert lines[:4] == [
        "row 4: store: unknown store code 'S999'",
        "row 5: category: required",
        "row 6: grade: A, B or C, not 'D'",
        "row 7: monthly_fee: not an amount in yuan: '八十九'",
    ]
    assert lines[-1] == "6 rows: 2 created, 0 updated, 0 unchanged, 4 rejected"
    again = invoke(settings, "import", "rentals", str(path))
    assert again.output.strip().splitlines()[-1] == (
        "6 rows: 0 created, 0 updated, 2 unchanged, 4 rejected"
    )

    async def units(services):
        async with services.db.session() as s:
            return {u.code: u for u in await s.scalars(select(RentalUnit))}

    found = run(settings, units)
    assert found["RU-X2"].monthly_fee_fen == 8950 and found["RU-X2"].grade == "B"
    assert found["RU-X2"].deposit_fen == 30000 and found["RU-X1"].residual_fen == 90000


def test_units_contracts_and_end_print_one_line_per_row(settings):
    run(settings, seed_demo)

    async def rent(services):
        async with services.db.transaction() as s:
            c = Customer(name="周先生")
            s.add(c)
            await s.flush()
            s.add(
                ChannelIdentity(customer_id=c.id, channel="mp", account="wx", external_id="o-zhou")
            )
            unit = await rentals.unit_by_code(s, "RU-PD-FR1")
            assert await rentals.claim(s, unit.id, NOW)
            k = await rentals.create_contract(
                s,
                customer_id=c.id,
                unit=unit,
                start_on=date(2026, 11, 26),
                months=3,
                now=NOW,
                source_key=None,
            )
            return k.id

    k = run(settings, rent)
    units = invoke(settings, "rentals", "units").output.strip().splitlines()
    assert len(units) == 6
    fridge = next(line for line in units if "RU-PD-FR1" in line).split("\t")
    assert fridge[1:3] == ["rented", "RU-PD-FR1"] and fridge[-2:] == ["99.00", "300.00"]
    rented = invoke(settings, "rentals", "units", "--state", "rented").output.strip()
    assert rented.count("\n") == 0 and "RU-PD-FR1" in rented

    line = invoke(settings, "rentals", "contracts").output.strip()
    assert line == f"{k}\tactive\tRU-PD-FR1\to-zhou\t2026-11-26\t2027-02-26\t99.00"

    ended = invoke(settings, "rentals", "end", str(k))
    assert ended.exit_code == 0
    assert ended.output.strip().startswith(f"contract {k} ended; inspection ticket S2026")
    assert invoke(settings, "rentals", "contracts").output.split("\t")[1] == "ended"
    assert "inspecting\tRU-PD-FR1" in invoke(settings, "rentals", "units").output
    assert "had ended already" in invoke(settings, "rentals", "end", str(k)).output
    missing = invoke(settings, "rentals", "end", "999")
    assert missing.exit_code == 1 and "no contract 999" in missing.output

    async def inspection(services):
        async with services.db.session() as s:
            return await s.scalar(select(ServiceTicket).where(ServiceTicket.kind == "inspection"))

    assert "退租验机" in run(settings, inspection).symptom


def test_a_rentable_trade_in_becomes_stock(settings):
    run(settings, seed_demo)

    async def trade_in(services):
        async with services.db.transaction() as s:
            c = await s.scalar(select(Customer).where(Customer.store_id.is_not(None)).limit(1))
            s.add(
                TradeInRequest(
                    number="TI20261125-0001",
                    customer_id=c.id,
                    old_category="空调",
                    old_brand="格力",
                    old_age_years=3,
                )
            )

    run(settings, trade_in)
    out = invoke(
        settings,
        "rentals",
        "from-trade-in",
        "TI20261125-0001",
        "--grade",
        "A",
        "--fee",
        "99",
        "--deposit",
        "300",
    )
    assert out.exit_code == 0 and "in stock" in out.output
    line = next(x for x in invoke(settings, "rentals", "units").output.splitlines() if "TI-" in x)
    assert line.split("\t")[1] == "in_stock" and "格力 空调" in line
    twice = invoke(
        settings, "rentals", "from-trade-in", "TI20261125-0001", "--grade", "A", "--fee", "99"
    )
    assert twice.exit_code == 1 and "stock already" in twice.output
