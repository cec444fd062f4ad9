"""``wxbot convo eval``: score the held-out conversations (data/conversations/heldout) through
the chat path; prints each failure with its transcript and the pass rate."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from bot import convo_eval


@click.group()
def convo() -> None:
    """Multi-turn conversation checks."""


@convo.command("eval")
@click.option("--dir", "folder", default=None, help="Folder of YAML conversations.")
@click.option("--only", default=None, help="Run the conversations whose id contains this.")
@click.option("--quiet", is_flag=True, help="No transcripts, only the failures' reasons.")
@click.option("--show", is_flag=True, help="Print every transcript, passed ones too.")
def eval_(folder: str | None, only: str | None, quiet: bool, show: bool) -> None:
    """Run every held-out conversation on a fresh demo world; exit 1 when one fails."""
    convs = convo_eval.load(Path(folder) if folder else convo_eval.HELDOUT)
    if only:
        convs = [c for c in convs if only in str(c.get("id"))]
    outcomes = asyncio.run(convo_eval.evaluate(convs))
    for o in outcomes:
        if o.passed and not show:
            continue
        click.echo(("PASS " if o.passed else "FAIL ") + f"{o.id}: " + "; ".join(o.failures))
        if show or not quiet:
            for line in o.transcript:
                click.echo("    " + line.replace("\n", "\n    "))
    passed = sum(o.passed for o in outcomes)
    click.echo(f"passed {passed}/{len(outcomes)} ({100 * passed / max(1, len(outcomes)):.0f}%)")
    raise SystemExit(0 if passed == len(outcomes) else 1)


COMMANDS = [convo]
