"""Operator commands for the business config: ``wxbot catalog check``, ``wxbot trade-in quote``
(preview a quote after editing prices or policies), ``wxbot orders fitted`` (record that a
filter order was fitted: the stages' next due dates, and so the reminders, move)."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import date

import click

from bot.bootstrap import services_or_exit, settings_or_exit

COMMANDS: list[click.Command] = []


def _today(settings, on: str | None) -> date:
    if on:
        return date.fromisoformat(on)
    from datetime import datetime

    return datetime.now(settings.tz).date()


@click.group()
def catalog() -> None:
    """Catalogs: categories, purifiers and filters, units on sale, warranty plans."""


@catalog.command("check")
@click.option("--on", default=None, help="YYYY-MM-DD: which subsidy policy is in force that day")
def check(on: str | None) -> None:
    """Read the catalog and trade-in sections; exit 2 naming the entry at fault."""
    from handlers.catalog import Catalog, CatalogError
    from handlers.trade_in_quote import QuoteError, policies, policy_on

    settings = settings_or_exit()
    try:
        cat = Catalog.of(settings)
        pols = policies(settings)
        day = _today(settings, on)
        current = policy_on(settings, day)
    except (CatalogError, QuoteError, KeyError, ValueError) as exc:
        click.echo(f"config error: {exc}", err=True)
        sys.exit(2)
    problems = [
        f"catalog.models: {m.label} has category {m.category!r}, not in catalog.categories"
        for m in cat.models
        if cat.category(m.category) is None
    ]
    problems += [
        f"trade_in.policies: {p.id} ends before it starts"
        for p in pols
        if p.valid_until < p.valid_from
    ]
    for line in problems:
        click.echo(f"config error: {line}", err=True)
    click.echo(
        f"categories {len(cat.categories)}, purifiers {len(cat.purifiers)}, "
        f"models {len(cat.models)}, policies {len(pols)}; "
        f"in force on {day}: {current.id if current else 'none'}"
    )
    if problems:
        sys.exit(2)


@click.group("trade-in")
def trade_in() -> None:
    """Trade-in (以旧换新) quotes."""


@trade_in.command("quote")
@click.option("--category", required=True, help="old unit's category, e.g. 空调")
@click.option("--age", type=int, required=True, help="years in use")
@click.option("--condition", default="一般", show_default=True, help="好|一般|差")
@click.option("--broken", is_flag=True, help="the old unit no longer works")
@click.option("--brand", default=None)
@click.option("--model", "model_text", default=None, help="new unit: a catalog model number")
@click.option("--new-category", default=None, help="new unit's category (default: the old one)")
@click.option("--grade", type=int, default=None, help="new unit's energy grade")
@click.option("--budget", type=float, default=None, help="new unit's budget in yuan")
@click.option("--on", default=None, help="YYYY-MM-DD (default: today)")
def quote_cmd(
    category: str,
    age: int,
    condition: str,
    broken: bool,
    brand: str | None,
    model_text: str | None,
    new_category: str | None,
    grade: int | None,
    budget: float | None,
    on: str | None,
) -> None:
    """One JSON line: the old value, subsidy, new price and what the customer pays (fen and
    yuan), with the policy and the reasons when there is no subsidy. Earlier subsidies of a
    customer are not looked up here."""
    from handlers.catalog import Catalog
    from handlers.money import yuan
    from handlers.trade_in_quote import NewUnit, OldUnit, QuoteError, compute_quote

    settings = settings_or_exit()
    cat = Catalog.of(settings)
    unit = cat.find_model(model_text) if model_text else None
    if unit is None:
        unit = cat.pick_model(
            new_category or category, grade, int(budget * 100) if budget is not None else None
        )
    if unit is None:
        click.echo("error: no unit on sale fits (model, category, grade, budget)", err=True)
        sys.exit(1)
    try:
        q = compute_quote(
            settings,
            _today(settings, on),
            OldUnit(category, age, not broken, condition, brand),
            NewUnit(unit.category, unit.energy_grade, unit.price_fen, unit.brand, unit.model),
        )
    except QuoteError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(
        json.dumps(
            {
                "new_unit": unit.label,
                "energy_grade": unit.energy_grade,
                "new_price_fen": q.new_price_fen,
                "old_value_fen": q.old_value_fen,
                "subsidy_fen": q.subsidy_fen,
                "pay_fen": q.pay_fen,
                "shown": q.lines(),
                "policy": q.policy.id if q.policy else None,
                "reasons": q.reasons,
                "pay": yuan(q.pay_fen),
            },
            ensure_ascii=False,
        )
    )


@click.group()
def orders() -> None:
    """Consumable (filter) orders."""


@orders.command("fitted")
@click.argument("number")
@click.option("--on", default=None, help="YYYY-MM-DD the cartridges were fitted (default: today)")
def fitted(number: str, on: str | None) -> None:
    """Mark a filter order fitted: it closes, and its stages' next due dates move."""
    from handlers.catalog import Catalog
    from handlers.filter_schedule import device_schedule
    from handlers.filters import order_fitted
    from storage.repos import devices
    from storage.repos import orders as repo

    async def run() -> int:
        services = services_or_exit()
        try:
            day = _today(services.settings, on)
            cat = Catalog.of(services.settings)
            async with services.db.transaction() as s:
                order = await repo.by_number(s, number)
                if order is None:
                    click.echo(f"error: no order {number}", err=True)
                    return 1
                await order_fitted(s, cat, order, day)
                if order.device_id is None:
                    click.echo(f"{number}: done (no registered purifier to update)")
                    return 0
                device = await devices.get_for_customer(s, order.customer_id, order.device_id)
                await s.refresh(device, ["stages"])
                for st in device_schedule(cat, device, day):
                    click.echo(f"{st.name}: next due {st.due_on}")
            return 0
        finally:
            await services.close()

    sys.exit(asyncio.run(run()))


COMMANDS += [catalog, trade_in, orders]
