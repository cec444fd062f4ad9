"""Choosing thresholds: k-fold cross-validation over the training corpus (never a held-out
or out-of-scope evaluation set). For each candidate threshold: accuracy (``unknown`` counted
as a class), in-domain recall, the out-of-scope false-action rate (an ``unknown`` line
classified as a form, a state change or an alert) and the precision of each consequential
intent; per intent, the threshold that gets the most lines right."""

from __future__ import annotations

import random
from dataclasses import dataclass

from bot.nlu.consequence import is_action
from bot.nlu.core import Pipeline
from bot.nlu.intents import features, load_corpus, train

CANDIDATES = (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


@dataclass
class Row:
    threshold: float
    accuracy: float
    in_domain_recall: float
    false_action: float  # of the out-of-scope lines
    precision: dict[str, float]  # consequential intents


def predictions(pipeline: Pipeline, folds: int = 5, seed: int = 1) -> list[tuple[str, str, float]]:
    """(gold, predicted, confidence) for every corpus line, each predicted by a model that
    did not see it."""
    pairs = load_corpus()
    prepared = [(pipeline._training_text(t), i) for t, i in pairs]
    order = list(range(len(pairs)))
    random.Random(seed).shuffle(order)
    out: list[tuple[str, str, float]] = []
    for f in range(folds):
        held = {i for j, i in enumerate(order) if j % folds == f}
        model = train([prepared[i] for i in order if i not in held], prepare=lambda t: t)
        for i in sorted(held):
            text, gold = prepared[i]
            best, conf, _ = model.predict(features(text))
            out.append((gold, best, conf))
    return out


def _apply(preds, limit) -> list[tuple[str, str]]:
    return [(g, b if c >= limit(b) else "unknown") for g, b, c in preds]


def row(preds, threshold: float, per_intent: dict[str, float] | None = None) -> Row:
    per_intent = per_intent or {}
    got = _apply(preds, lambda b: per_intent.get(b, threshold))
    n = len(got)
    oos = [b for g, b in got if g == "unknown"]
    ind = [(g, b) for g, b in got if g != "unknown"]
    precision = {}
    for intent in sorted({g for g, _ in got} | {b for _, b in got}):
        if not is_action(intent):
            continue
        said = [g for g, b in got if b == intent]
        precision[intent] = sum(g == intent for g in said) / len(said) if said else 1.0
    return Row(
        threshold,
        sum(g == b for g, b in got) / n if n else 0.0,
        sum(g == b for g, b in ind) / len(ind) if ind else 0.0,
        sum(is_action(b) for b in oos) / len(oos) if oos else 0.0,
        precision,
    )


def choose(preds, default: float, candidates=CANDIDATES) -> dict[str, float]:
    """Per intent that is acted on: the threshold that makes the most cross-validated lines
    right when only that intent's threshold moves (ties: the lower one); listed only where
    it differs from ``default``."""
    chosen: dict[str, float] = {}
    for intent in sorted({g for g, _, _ in preds if is_action(g)}):

        def right(th: float, intent: str = intent) -> int:
            return sum(
                g == (b if c >= (th if b == intent else default) else "unknown")
                for g, b, c in preds
            )

        best = max(candidates, key=lambda th: (right(th), -th))
        if right(best) > right(default):
            chosen[intent] = best
    return chosen


def cross_validate(
    pipeline: Pipeline, folds: int = 5, seed: int = 1, thresholds=CANDIDATES
) -> dict[float, float]:
    """Accuracy for each global threshold (kept for callers of the old interface)."""
    preds = predictions(pipeline, folds, seed)
    return {th: row(preds, th).accuracy for th in thresholds}
