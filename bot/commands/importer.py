"""``wxbot import customers|devices FILE.csv``."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import click
from tqdm import tqdm

from bot.bootstrap import services_or_exit
from bot.importer import ImportReport, count_rows, import_customers, import_devices


@click.group("import")
def import_() -> None:
    """Import customers and devices from CSV (UTF-8 or GBK, as Excel exports)."""


def _run(kind: str, path: Path) -> None:
    run_import(kind, path, import_customers if kind == "customers" else import_devices)


def run_import(kind: str, path: Path, fn: Callable[..., Awaitable[ImportReport]]) -> None:
    """Run one CSV import ``fn(db, path, progress)`` with a progress bar, print its row report
    and exit 2 on an unreadable file, 1 when rows were rejected."""
    services = services_or_exit()

    async def go():
        try:
            total = count_rows(path)
            with tqdm(
                total=total, unit="row", desc=f"import {kind}", file=sys.stderr, disable=total < 200
            ) as bar:
                return await fn(services.db, path, bar.update)
        finally:
            await services.close()

    try:
        report = asyncio.run(go())
    except ValueError as exc:
        click.echo(f"import failed: {exc}", err=True)
        sys.exit(2)
    for row, column, reason in report.rejected:
        click.echo(f"row {row}: {column}: {reason}")
    click.echo(report.summary())
    if report.rejected:
        sys.exit(1)


@import_.command("customers")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def customers(file: Path) -> None:
    """Upsert customers by phone. Columns: phone, name, address, city, birthday, store, guide…"""
    _run("customers", file)


@import_.command("devices")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def devices(file: Path) -> None:
    """Upsert devices by serial. Columns: serial, phone, category, brand, model, purchase_date…"""
    _run("devices", file)


COMMANDS = [import_]
