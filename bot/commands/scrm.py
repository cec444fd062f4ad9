"""``wxbot tags|segment|campaign|staff``: the guide's customer book from the command line."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click

from bot.bootstrap import services_or_exit

T = TypeVar("T")


def _run(fn: Callable[[Any], Awaitable[T]]) -> T:
    async def go() -> T:
        services = services_or_exit()
        try:
            return await fn(services)
        finally:
            await services.close()

    return asyncio.run(go())


def _fail(message: str, code: int = 2) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


# -- tags ---------------------------------------------------------------------------------


@click.group()
def tags() -> None:
    """Customer tags: automatic (config.yaml scrm.tags) and manual."""


@tags.command("recompute")
@click.option("--no-sync", is_flag=True, help="Do not queue the WeCom tag sync.")
def tags_recompute(no_sync: bool) -> None:
    """Recompute every automatic tag; prints each tag and how many customers hold it."""
    from bot.scrm.settings import ScrmConfigError
    from bot.scrm.tags import recompute

    try:
        result = _run(lambda s: recompute(s, sync=not no_sync))
    except ScrmConfigError as exc:
        _fail(str(exc))
    for name, n in result.counts.items():
        click.echo(f"{name}\t{n}")
    click.echo(
        f"+{result.added} −{result.removed}, {result.queued_syncs} WeCom tag syncs queued",
        err=True,
    )


@tags.command("show")
@click.argument("who")
def tags_show(who: str) -> None:
    """A customer's tags, by phone or openid / external_userid."""
    from storage.repos import tags as repo

    async def go(services):
        async with services.db.session() as s:
            c = await repo.find_customer(s, who.strip())
            if c is None:
                return None
            return c, await repo.for_customer(s, c.id)

    found = _run(go)
    if found is None:
        _fail(f"no customer with phone or openid {who!r}", 1)
    c, held = found
    click.echo(f"{c.name or '未留名'} {c.phone or ''}".rstrip())
    if not held:
        click.echo("（暂无标签）")
    for name, kind in held:
        click.echo(f"{name}\t{'自动' if kind == 'auto' else '手动'}")


COMMANDS: list[click.Command] = [tags]
