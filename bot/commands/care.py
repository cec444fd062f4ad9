"""``wxbot care preview|run``: what the care planner would send on a day, and planning it."""

from __future__ import annotations

import asyncio
import json
from datetime import date

import click

from bot.bootstrap import day_option, services_or_exit


@click.group()
def care() -> None:
    """Care messages: preview and plan a day."""


@care.command("preview")
@click.option("--on", "day", required=True, callback=day_option, help="The day, YYYY-MM-DD.")
def preview(day: date) -> None:
    """One JSON object per line: {"customer", "rule", "channel", "text"}. Writes nothing."""
    from bot.care.planner import Planner

    async def run() -> None:
        services = services_or_exit()
        try:
            async for item in Planner(services).preview(day):
                click.echo(json.dumps(item, ensure_ascii=False))
        finally:
            await services.close()

    asyncio.run(run())


@care.command("run")
@click.option("--on", "day", default=None, callback=day_option, help="The day (default: today).")
@click.option("--dry-run", is_flag=True, help="Count what would be planned; write nothing.")
def run_cmd(day: date | None, dry_run: bool) -> None:
    """Plan the day's care messages into the outbox (the dispatcher sends them)."""
    from bot.care.planner import Planner

    async def run() -> dict:
        services = services_or_exit()
        try:
            d = day or services.clock.local_now().date()
            return await Planner(services).run(d, dry_run=dry_run)
        finally:
            await services.close()

    click.echo(json.dumps(asyncio.run(run()), ensure_ascii=False))


COMMANDS = [care]
