"""Choosing ``nlu.confidence_threshold``: k-fold cross-validation over the training corpus
(never the held-out set), accuracy at each candidate threshold."""

from __future__ import annotations

import random

from bot.nlu.core import Pipeline
from bot.nlu.intents import IntentModel, features, load_corpus

CANDIDATES = (0.0, 0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7)


def cross_validate(
    pipeline: Pipeline, folds: int = 5, seed: int = 1, thresholds=CANDIDATES
) -> dict[float, float]:
    """Accuracy (``unknown`` counted as a class) for each threshold."""
    pairs = load_corpus()
    prepared = [(pipeline._training_text(t), i) for t, i in pairs]
    order = list(range(len(pairs)))
    random.Random(seed).shuffle(order)
    predictions: list[tuple[str, float, str]] = []
    for f in range(folds):
        train = [pairs[i] for j, i in enumerate(order) if j % folds != f]
        model = IntentModel(train, prepare=pipeline._training_text)
        for j, i in enumerate(order):
            if j % folds == f:
                text, gold = prepared[i]
                best, conf, _ = model.nb.predict(features(text))
                predictions.append((best, conf, gold))
    return {
        th: sum((b if b and c >= th else "unknown") == g for b, c, g in predictions)
        / len(predictions)
        for th in thresholds
    }
