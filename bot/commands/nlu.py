"""``wxbot nlu``: parse utterances from stdin, and score a labelled set."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

import click

from bot.bootstrap import settings_or_exit


def _now(value: str | None, tz) -> datetime | None:
    if not value:
        return None
    try:
        now = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"not an ISO 8601 time: {value!r}", param_hint="--now") from None
    return now if now.tzinfo else now.replace(tzinfo=tz)


@click.group()
def nlu() -> None:
    """Understanding messages: intents and entities."""


@nlu.command("parse")
@click.option(
    "--now", "now_text", default=None, help="ISO 8601 moment relative dates resolve against."
)
def parse_cmd(now_text: str | None) -> None:
    """Read utterances one per line on stdin; write one JSON object per line."""
    from bot.nlu import configure

    settings = settings_or_exit()
    pipeline = configure(settings)
    now = _now(now_text, settings.tz)
    for line in sys.stdin:
        text = line.rstrip("\r\n")
        if not text.strip():
            continue
        result = pipeline.parse(text, now=now, tz=settings.tz)
        click.echo(json.dumps(result.as_json(), ensure_ascii=False))


@nlu.command("train")
def train_cmd() -> None:
    """Train the intent model now (if the corpus or the NLU changed) and cache it in var/nlu,
    so that `wxbot serve` starts without training (no scikit-learn in the server)."""
    import time

    from bot.nlu import configure

    started = time.perf_counter()
    pipeline = configure(settings_or_exit())
    click.echo(
        f"intent model ready: {len(pipeline.model.model.vocab)} features, "
        f"{len(pipeline.model.model.classes)} intents ({time.perf_counter() - started:.1f} s)"
    )


@nlu.command("eval")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--now", "now_text", default=None, help="Overrides the file's `now`.")
@click.option("--errors/--no-errors", default=False, help="Also list every miss.")
def eval_cmd(file: Path, now_text: str | None, errors: bool) -> None:
    """Per-intent precision, recall and F1, the confusion pairs, and entity accuracy.

    A ``.txt`` FILE is an out-of-scope set (one message a line): how many lines would be
    acted on (a form, a state change, an alert)."""
    from bot.nlu import configure
    from bot.nlu.evaluate import evaluate, evaluate_oos, load_lines, load_set

    settings = settings_or_exit()
    pipeline = configure(settings)
    if file.suffix == ".txt":
        now = _now(now_text, settings.tz)
        oos = evaluate_oos(load_lines(file), lambda t: pipeline.parse(t, now=now, tz=settings.tz))
        for line in oos.lines():
            click.echo(line)
        if errors:
            click.echo("\nacted on:")
            for text, intent, conf in oos.examples:
                click.echo(f"  {intent} {conf:.3f} {text}")
        return
    file_now, items = load_set(file)
    now = _now(now_text, settings.tz) or file_now
    report = evaluate(items, lambda t: pipeline.parse(t, now=now, tz=settings.tz))
    for line in report.lines():
        click.echo(line)
    if errors:
        click.echo("\nmisses:")
        for e in report.errors:
            click.echo("  " + json.dumps(e, ensure_ascii=False))


@nlu.command("tune")
@click.option("--folds", default=5, show_default=True)
@click.option(
    "--write", is_flag=True, help="Save the per-intent thresholds to bot/nlu/thresholds.yaml."
)
def tune_cmd(folds: int, write: bool) -> None:
    """Cross-validate the corpus: the trade-off per threshold, and per-intent thresholds."""
    from bot.nlu import configure
    from bot.nlu.intents import THRESHOLDS
    from bot.nlu.tuning import CANDIDATES, choose, predictions, row

    pipeline = configure(settings_or_exit())
    preds = predictions(pipeline, folds=folds)
    click.echo(f"{folds}-fold cross-validation over {len(preds)} corpus lines")
    click.echo(f"{'threshold':>9}{'accuracy':>10}{'recall':>8}{'false-action':>14}  precision")
    for th in CANDIDATES:
        r = row(preds, th)
        current = "  (configured)" if abs(th - pipeline.threshold) < 1e-9 else ""
        worst = min(r.precision.items(), key=lambda kv: kv[1])
        click.echo(
            f"{th:>9.2f}{r.accuracy:>10.3f}{r.in_domain_recall:>8.3f}{r.false_action:>14.3f}"
            f"  lowest {worst[0]} {worst[1]:.3f}{current}"
        )
    chosen = choose(preds, pipeline.threshold)
    r = row(preds, pipeline.threshold, chosen)
    click.echo("\nper-intent thresholds (where another one gets more lines right):")
    for intent, th in chosen.items():
        click.echo(f"  {intent:<18}{th:.2f}  precision {r.precision.get(intent, 1.0):.3f}")
    click.echo(
        f"with them: accuracy {r.accuracy:.3f}, in-domain recall {r.in_domain_recall:.3f},"
        f" false-action {r.false_action:.3f}"
    )
    if write:
        lines = [
            "# Per-intent thresholds chosen by `wxbot nlu tune --write` (cross-validation).",
            "# An intent not listed uses nlu.confidence_threshold.",
            "thresholds:",
        ]
        lines += [f"  {intent}: {th}" for intent, th in chosen.items()]
        THRESHOLDS.write_text("\n".join(lines) + "\n", encoding="utf-8")
        click.echo(f"written to {THRESHOLDS}")


COMMANDS = [nlu]
