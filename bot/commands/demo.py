"""``wxbot demo seed``: the demo world for the sandbox and the playground."""

from __future__ import annotations

import asyncio

import click

from bot.bootstrap import services_or_exit


@click.group()
def demo() -> None:
    """Demo data."""


@demo.command("seed")
def seed() -> None:
    """Create the demo world (two stores, four guides, ~30 customers). Seeding twice changes nothing."""
    from bot.demo import seed_demo

    services = services_or_exit()

    async def go():
        try:
            return await seed_demo(services)
        finally:
            await services.close()

    result = asyncio.run(go())
    if result.created:
        click.echo(f"demo world seeded: {result.customers} customers", err=True)
    else:
        click.echo(
            f"demo world already there ({result.customers} customers); nothing changed", err=True
        )


COMMANDS = [demo]
