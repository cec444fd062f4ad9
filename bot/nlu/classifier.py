"""A small multinomial naive Bayes over sparse features, trained in well under a second.

Why not scikit-learn: it is not a dependency yet, and it would bring numpy and scipy into the
start-up path of a service whose cold start must stay under 3 s, for a corpus of ~900 short
lines where naive Bayes with good features already beats the targets. Pure Python keeps
training (~0.15 s CPU) and prediction (~0.1 ms) cheap and the model easy to read.
Confidence is a softmax over the summed log-likelihoods scaled by ``sharpness / sqrt(n)``
(raw naive Bayes posteriors are overconfident), so little evidence gives a low confidence.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence


class NaiveBayes:
    def __init__(self, alpha: float = 0.2, sharpness: float = 2.0):
        self.alpha = alpha
        self.sharpness = sharpness
        self.classes: list[str] = []
        self.log_prob: dict[str, tuple[float, ...]] = {}  # feature -> log P(f|c) per class
        self.log_unseen: dict[str, float] = {}
        self.log_prior: dict[str, float] = {}

    def fit(self, samples: Sequence[Iterable[str]], labels: Sequence[str]) -> NaiveBayes:
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        n_docs: Counter[str] = Counter(labels)
        for feats, label in zip(samples, labels, strict=True):
            counts[label].update(feats)
        self.classes = sorted(n_docs)
        vocab = {f for c in counts.values() for f in c}
        v = len(vocab)
        total = sum(n_docs.values())
        self.log_prior = {c: math.log(n_docs[c] / total) for c in self.classes}
        self.log_unseen = {}
        per_class: dict[str, dict[str, float]] = {}
        for c in self.classes:
            denom = sum(counts[c].values()) + self.alpha * v
            self.log_unseen[c] = math.log(self.alpha / denom)
            per_class[c] = {f: math.log((n + self.alpha) / denom) for f, n in counts[c].items()}
        self.log_prob = {
            f: tuple(per_class[c].get(f, self.log_unseen[c]) for c in self.classes) for f in vocab
        }
        return self

    def predict(self, feats: Iterable[str]) -> tuple[str, float, dict[str, float]]:
        """Best class, its confidence, and every class's confidence."""
        table = self.log_prob
        rows = [table[f] for f in feats if f in table]
        if not rows:
            return "", 0.0, {}
        k = self.sharpness / math.sqrt(len(rows))
        scaled = [k * sum(col) for col in zip(*rows, strict=True)]
        top = max(scaled)
        exp = [math.exp(s - top) for s in scaled]
        z = sum(exp)
        probs = {c: e / z for c, e in zip(self.classes, exp, strict=True)}
        best = self.classes[scaled.index(top)]
        return best, probs[best], probs
