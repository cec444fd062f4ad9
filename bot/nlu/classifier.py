"""Multinomial logistic regression over sparse string features (jieba tokens, character
n-grams, concepts): trained with scikit-learn, applied with numpy alone.

Why logistic regression: its probabilities are estimates of how often the top intent is
right (a naive Bayes posterior is not), so a threshold means something, and a large
``unknown`` class teaches it what is not for the bot. scikit-learn (and scipy) are imported
only to train; a trained model is a vocabulary and a weight matrix, saved to and loaded from
an ``.npz`` file (bot/nlu/intents.py caches it under ``var/``), so ``wxbot serve`` starts
without importing them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

C = 100.0  # inverse regularisation, chosen by cross-validation (wxbot nlu tune)
# Weight of an in-domain line against an out-of-scope one: the ``unknown`` class has as many
# lines as all the others together, and should win only where nothing in-domain is said.
IN_DOMAIN_WEIGHT = 8.0


class LinearModel:
    def __init__(self, classes: list[str], vocab: dict[str, int], coef, intercept):
        self.classes = classes
        self.vocab = vocab
        self.coef = coef  # (features, classes) float32
        self.intercept = intercept  # (classes,)

    @classmethod
    def fit(
        cls,
        samples: Sequence[Iterable[str]],
        labels: Sequence[str],
        c: float = C,
        in_domain_weight: float = IN_DOMAIN_WEIGHT,
    ) -> LinearModel:
        from scipy.sparse import csr_matrix
        from sklearn.linear_model import LogisticRegression

        vocab: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        values: list[float] = []
        for i, feats in enumerate(samples):
            unique = set(feats)
            for f in unique:
                rows.append(i)
                cols.append(vocab.setdefault(f, len(vocab)))
                values.append(1.0 / np.sqrt(len(unique)))
        x = csr_matrix((values, (rows, cols)), shape=(len(labels), len(vocab)))
        weights = {k: 1.0 if k == "unknown" else in_domain_weight for k in set(labels)}
        lr = LogisticRegression(C=c, max_iter=2000, class_weight=weights)
        lr.fit(x, list(labels))
        classes = [str(k) for k in lr.classes_]
        return cls(
            classes,
            vocab,
            np.ascontiguousarray(lr.coef_.T, dtype=np.float32),
            lr.intercept_.astype(np.float32),
        )

    def predict(self, feats: Iterable[str]) -> tuple[str, float, dict[str, float]]:
        """Best class, its probability, and every class's probability."""
        vocab = self.vocab
        idx = list({vocab[f] for f in feats if f in vocab})
        if idx:  # the training rows were scaled to unit length the same way
            z = self.intercept + self.coef[idx].sum(axis=0) / np.sqrt(len(idx))
        else:
            z = self.intercept.copy()
        z = np.exp(z - z.max())
        p = z / z.sum()
        best = int(p.argmax())
        return self.classes[best], float(p[best]), dict(zip(self.classes, p.tolist(), strict=True))

    def save(self, path: Path) -> None:
        names = np.array(sorted(self.vocab, key=self.vocab.__getitem__), dtype=object)
        tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npz")  # processes may race
        np.savez(
            tmp,
            classes=np.array(self.classes),
            names=np.array(names.tolist(), dtype=str),
            coef=self.coef,
            intercept=self.intercept,
        )
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> LinearModel:
        with np.load(path) as data:
            names = data["names"].tolist()
            return cls(
                [str(c) for c in data["classes"]],
                {n: i for i, n in enumerate(names)},
                data["coef"],
                data["intercept"],
            )
