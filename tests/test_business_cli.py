"""Operator commands for the business config: catalog check, trade-in quote, orders fitted."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from pathlib import Path

from click.testing import CliRunner

from bot.cli import main
from bot.context import build_services
from storage.models import ConsumableOrder, ConsumableStage, Customer, Device

REPO = Path(__file__).resolve().parent.parent


def invoke(settings, *args, config: Path | None = None):
    env = {
        "WXBOT_DATABASE__URL": settings.database.url,
        "WXBOT_CONFIG": str(config or REPO / "config.yaml"),
    }
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_catalog_check_summarises_the_shipped_config(settings):
    out = invoke(settings, "catalog", "check", "--on", "2026-11-25")
    assert out.exit_code == 0
    assert out.output.strip().endswith("in force on 2026-11-25: gov-2026-h2")


def test_catalog_check_names_a_bad_entry_and_exits_2(settings, tmp_path):
    text = (REPO / "config.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("price_fen: 6900}", "price_fen: 69元}", 1), encoding="utf-8")
    out = CliRunner().invoke(
        main, ["catalog", "check"], env={"WXBOT_CONFIG": str(bad)}, catch_exceptions=False
    )
    assert out.exit_code == 2
    assert "purifiers[0].stages.price_fen must be a whole number" in out.output


def test_trade_in_quote_previews_the_bill(settings):
    out = invoke(
        settings,
        "trade-in",
        "quote",
        "--category",
        "空调",
        "--age",
        "5",
        "--grade",
        "1",
        "--budget",
        "3000",
        "--on",
        "2026-11-25",
    )
    q = json.loads(out.output)
    assert q["policy"] == "gov-2026-h2" and q["energy_grade"] == 1 and q["reasons"] == []
    assert q["pay_fen"] == q["new_price_fen"] - q["old_value_fen"] - q["subsidy_fen"]
    assert q["shown"][-1].startswith("您需支付：¥")
    none = json.loads(
        invoke(
            settings, "trade-in", "quote", "--category", "空调", "--age", "5", "--on", "2026-03-01"
        ).output
    )
    assert none["subsidy_fen"] == 0 and none["reasons"] == ["今天没有在期的以旧换新补贴政策"]


def test_orders_fitted_moves_the_next_due_dates(settings):
    async def seed() -> int:
        services = build_services(settings)
        try:
            async with services.db.transaction() as s:
                c = Customer(name="李先生")
                s.add(c)
                await s.flush()
                d = Device(customer_id=c.id, category="净水器", model="MRO1891-400G")
                s.add(d)
                await s.flush()
                s.add(
                    ConsumableStage(
                        device_id=d.id,
                        stage="pp",
                        name="PP棉滤芯",
                        life_days=180,
                        last_replaced_on=date(2026, 1, 1),
                    )
                )
                s.add(
                    ConsumableOrder(
                        number="F20261125-0001",
                        customer_id=c.id,
                        device_id=d.id,
                        items=[{"stage": "pp", "name": "PP棉滤芯", "qty": 1, "price_fen": 5900}],
                    )
                )
                return d.id
        finally:
            await services.close()

    async def stage_and_status(device_id: int):
        services = build_services(settings)
        try:
            async with services.db.session() as s:
                st = await s.get(ConsumableStage, 1)
                o = await s.get(ConsumableOrder, 1)
                return st.last_replaced_on, o.status
        finally:
            await services.close()

    did = asyncio.run(seed())
    out = invoke(settings, "orders", "fitted", "F20261125-0001", "--on", "2026-11-28")
    assert out.exit_code == 0
    assert "PP棉滤芯: next due 2027-05-27" in out.output
    assert asyncio.run(stage_and_status(did)) == (date(2026, 11, 28), "done")
    assert invoke(settings, "orders", "fitted", "F-NOPE").exit_code == 1
