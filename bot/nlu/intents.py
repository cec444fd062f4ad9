"""Intent classification: jieba tokens + character n-grams → naive Bayes trained at start-up
from the YAML corpus in ``corpus/`` (one file per intent, ~50 lines each; training < 0.2 s).

Below the confidence threshold (config ``nlu.confidence_threshold``) the intent is ``unknown``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot.nlu import tokenize
from bot.nlu.classifier import NaiveBayes
from bot.nlu.normalize import for_intent

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

INTENTS = (
    "repair",
    "install",
    "cleaning",
    "trade_in",
    "rental",
    "filter_reorder",
    "warranty",
    "ticket_status",
    "register_product",
    "complaint",
    "human_agent",
    "unsubscribe",
    "greeting",
    "thanks",
    "unknown",
)
CORPUS_DIR = Path(__file__).with_name("corpus")
CONCEPTS = Path(__file__).with_name("concepts.yaml")
DEFAULT_THRESHOLD = 0.5

_DIGITS = re.compile(r"\d+")
_LATIN = re.compile(r"[a-z]+")
# Function words say nothing about the intent alone; as single characters / tokens they only
# tilt long messages toward whichever class has the chattiest lines (their bigrams stay:
# 你好, 在吗, 我要).
_STOP = frozenset("我他她它的了啊呀吗呢吧么什这那是在有个一就也都还和跟把被给")
LONG = 12  # characters; shorter messages keep every feature ("我不需要", "有人没")
_NONE: frozenset[str] = frozenset()
_STOP_WORDS = frozenset(
    {
        "我",
        "我们",
        "什么",
        "的",
        "了",
        "啊",
        "吗",
        "呢",
        "吧",
        "这",
        "那",
        "是",
        "在",
        "有",
        "个",
        "一个",
        "就",
        "也",
        "都",
        "还",
    }
)


def load_corpus(directory: Path = CORPUS_DIR) -> list[tuple[str, str]]:
    """(utterance, intent) pairs from every ``*.yaml`` in the corpus directory."""
    pairs: list[tuple[str, str]] = []
    for path in sorted(directory.glob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader) or {}
        intent = data["intent"]
        if intent not in INTENTS:
            raise ValueError(f"{path.name}: unknown intent {intent!r}")
        pairs += [(str(x), intent) for x in data.get("examples", [])]
    return pairs


@lru_cache(maxsize=1)
def _concepts() -> re.Pattern[str]:
    data = yaml.load(CONCEPTS.read_text(encoding="utf-8"), Loader=_Loader)
    parts = []
    for concept, words in data.items():
        alts = "|".join(
            str(w)[3:]  # "re:…" is a regular expression (老 but not 老板)
            if str(w).startswith("re:")
            else f"(?<![a-z]){re.escape(str(w).lower())}(?![a-z])"
            if str(w).isascii()
            else re.escape(str(w))
            for w in sorted(words, key=lambda w: -len(str(w)))
        )
        parts.append(f"(?P<{concept}>{alts})")
    return re.compile("|".join(parts))


def features(text: str) -> list[str]:
    """Classifier features of an already normalised (``for_intent``) text."""
    s = _DIGITS.sub("0", text)
    concepts = [f"k:{m.lastgroup}" for m in _concepts().finditer(text)]
    compact = s.replace(" ", "")
    stop_words, stop = (_STOP_WORDS, _STOP) if len(compact) > LONG else (_NONE, _NONE)
    feats = [f"w:{t}" for t in tokenize.cut(s) if t != " " and t not in stop_words]
    feats += [f"c:{ch}" for ch in compact if not ch.isascii() and ch not in stop]
    feats += [
        f"b:{a}{b}"
        for a, b in zip(compact, compact[1:], strict=False)
        if not (a.isascii() and b.isascii())
    ]
    feats += [f"l:{w}" for w in _LATIN.findall(s)]
    if len(compact) <= 2:
        feats.append(f"short:{compact}")
    return feats + concepts


@dataclass
class IntentResult:
    intent: str
    confidence: float
    scores: dict[str, float]


class IntentModel:
    """``prepare`` turns a raw utterance into the classifier's text (the pipeline masks
    entities with it, the same way for training and for parsing)."""

    def __init__(
        self,
        pairs: list[tuple[str, str]] | None = None,
        threshold: float = DEFAULT_THRESHOLD,
        prepare: Callable[[str], str] = for_intent,
        **nb_options: float,
    ):
        pairs = pairs if pairs is not None else load_corpus()
        self.threshold = threshold
        self.nb = NaiveBayes(**nb_options).fit(
            [features(prepare(t)) for t, _ in pairs], [i for _, i in pairs]
        )

    def classify(self, normalised: str, threshold: float | None = None) -> IntentResult:
        limit = self.threshold if threshold is None else threshold
        best, conf, scores = self.nb.predict(features(normalised))
        if not best or conf < limit:
            # no evidence, or too little: the top score is still reported as the confidence
            return IntentResult("unknown", conf, scores)
        return IntentResult(best, conf, scores)
