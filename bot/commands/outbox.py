"""``wxbot outbox list|retry|send-due``: what is waiting, dead letters, and sending now."""

from __future__ import annotations

import asyncio
import json

import click

from bot.bootstrap import services_or_exit

COMMANDS: list[click.Command] = []


@click.group()
def outbox() -> None:
    """The outbox: every outgoing message, and the dead letters."""


@outbox.command("list")
@click.option(
    "--status",
    default=None,
    type=click.Choice(["pending", "sending", "sent", "failed", "dead", "skipped"]),
    help="Only rows in this state.",
)
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10000))
def list_rows(status: str | None, limit: int) -> None:
    """Latest rows, one JSON object per line (dead letters carry last_error)."""
    from storage.repos import outbox as repo

    async def run() -> None:
        services = services_or_exit()
        try:
            async with services.db.session() as s:
                rows = await repo.recent(s, limit=limit, status=status)
            tz = services.settings.tz
            for r in rows:
                click.echo(
                    json.dumps(
                        {
                            "id": r.id,
                            "status": r.status,
                            "channel": r.channel,
                            "kind": r.kind,
                            "rule": r.rule,
                            "customer": r.customer_id,
                            "attempts": r.attempts,
                            "not_before": r.not_before.astimezone(tz).isoformat(),
                            "sandbox": r.sandbox,
                            "last_error": r.last_error,
                            "text": r.text,
                        },
                        ensure_ascii=False,
                    )
                )
        finally:
            await services.close()

    asyncio.run(run())


@outbox.command("retry")
@click.argument("row_id", type=int)
def retry(row_id: int) -> None:
    """Send a dead (or skipped) row again, at the next dispatch."""
    from storage.repos import outbox as repo

    async def run() -> str | None:
        services = services_or_exit()
        try:
            async with services.db.transaction() as s:
                if await repo.retry(s, row_id, services.clock.now()):
                    return None
                row = await repo.get(s, row_id)
                return row.status if row is not None else ""
        finally:
            await services.close()

    status = asyncio.run(run())
    if status == "":
        raise click.ClickException(f"no outbox row {row_id} (see `wxbot outbox list`)")
    if status is not None:
        raise click.ClickException(
            f"row {row_id} is {status}; only dead, failed or skipped rows can be retried"
        )
    click.echo(f"row {row_id} is pending again", err=True)


@outbox.command("send-due")
def send_due() -> None:
    """Send everything due now (sandbox: mark it sent)."""
    from bot.outbox import dispatch_all_due

    async def run() -> dict:
        services = services_or_exit()
        try:
            return dict(await dispatch_all_due(services))
        finally:
            await services.close()

    click.echo(json.dumps(asyncio.run(run())))


COMMANDS.append(outbox)
