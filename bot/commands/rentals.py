"""``wxbot rentals units|contracts|end|from-trade-in`` and ``wxbot import rentals FILE.csv``.

One line per row, tab-separated: units ``id state code unit store fee deposit``; contracts
``id state unit openid start end fee`` (fees in yuan, dates local)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import click

from bot.bootstrap import services_or_exit
from bot.commands.importer import import_


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


@click.group()
def rentals() -> None:
    """Rental stock and contracts (租赁)."""


@rentals.command("units")
@click.option("--state", default=None, help="in_stock, rented, inspecting or retired")
def units(state: str | None) -> None:
    """The rentable units: id, state, code, unit, store, monthly fee, deposit."""
    from storage.repos import rentals as repo

    services = services_or_exit()

    async def go():
        try:
            async with services.db.session() as s:
                return await repo.units(s, state)
        finally:
            await services.close()

    for u, store in asyncio.run(go()):
        label = " ".join(x for x in (u.brand, u.category, u.model, f"{u.grade}级") if x)
        click.echo(
            "\t".join(
                [
                    str(u.id),
                    u.state,
                    u.code,
                    label,
                    store,
                    _yuan(u.monthly_fee_fen),
                    _yuan(u.deposit_fen),
                ]
            )
        )


@rentals.command("contracts")
@click.option("--state", default=None, help="active, ending or ended")
def contracts(state: str | None) -> None:
    """The contracts: id, state, unit, customer openid, start, end, monthly fee."""
    from storage.repos import rentals as repo

    services = services_or_exit()

    async def go():
        try:
            async with services.db.session() as s:
                return await repo.contracts(s, state)
        finally:
            await services.close()

    for row in asyncio.run(go()):
        c = row.contract
        click.echo(
            "\t".join(
                [
                    str(c.id),
                    c.status,
                    row.unit.code,
                    row.openid or "-",
                    c.start_on.isoformat(),
                    c.end_on.isoformat(),
                    _yuan(c.monthly_fee_fen),
                ]
            )
        )


@rentals.command("end")
@click.argument("contract_id", type=int)
def end(contract_id: int) -> None:
    """End a contract now (the unit is back): an inspection ticket puts it back in stock."""
    from handlers.rental_ops import end_contract
    from storage.repos import rentals as repo

    services = services_or_exit()

    async def go():
        try:
            async with services.db.transaction() as s:
                c = await repo.contract(s, contract_id)
                if c is None:
                    return None, None
                ticket = await end_contract(services, s, c, actor="cli")
                return c, ticket.number if ticket else None
        finally:
            await services.close()

    c, number = asyncio.run(go())
    if c is None:
        click.echo(f"no contract {contract_id}", err=True)
        sys.exit(1)
    if number is None:
        click.echo(f"contract {contract_id} had ended already")
        return
    click.echo(f"contract {contract_id} ended; inspection ticket {number}")


@rentals.command("from-trade-in")
@click.argument("number")
@click.option("--grade", type=click.Choice(["A", "B"]), required=True)
@click.option("--fee", type=float, required=True, help="monthly fee in yuan")
@click.option("--deposit", type=float, default=0.0, help="deposit in yuan")
@click.option("--residual", type=float, default=0.0, help="buy-out price in yuan")
@click.option("--store", default=None, help="store code (default: the customer's store)")
def from_trade_in(
    number: str, grade: str, fee: float, deposit: float, residual: float, store: str | None
) -> None:
    """A trade-in's old unit, graded rentable, becomes rental stock."""
    from handlers.rental_ops import unit_from_trade_in
    from storage.repos import staff

    services = services_or_exit()

    async def go():
        try:
            async with services.db.transaction() as s:
                store_id = None
                if store:
                    found = {x.code: x.id for x in await staff.all_stores(s)}
                    if store not in found:
                        raise ValueError(f"unknown store {store}")
                    store_id = found[store]
                u = await unit_from_trade_in(
                    s,
                    number,
                    grade=grade,
                    monthly_fee_fen=round(fee * 100),
                    deposit_fen=round(deposit * 100),
                    residual_fen=round(residual * 100),
                    store_id=store_id,
                )
                return u.id, u.code
        finally:
            await services.close()

    try:
        uid, code = asyncio.run(go())
    except (LookupError, ValueError) as exc:
        click.echo(f"cannot: {exc.args[0]}", err=True)
        sys.exit(1)
    click.echo(f"unit {uid} {code} in stock")


@import_.command("rentals")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_rentals(file: Path) -> None:
    """Upsert rentable units by code. Columns: code, store, category, brand, model, serial,
    grade, monthly_fee, deposit, residual (yuan)."""
    from bot.commands.importer import run_import
    from bot.importer_rentals import import_rentals as run

    run_import("rentals", file, run)


COMMANDS = [rentals]
