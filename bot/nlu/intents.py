"""Intent classification: jieba tokens + character n-grams + concepts → logistic regression
(bot/nlu/classifier.py) trained from the YAML corpus in ``corpus/`` (any number of files per
intent; a new intent is a new file naming it). The trained model is cached under
``var/nlu/`` keyed by a hash of everything that shapes it (corpus, concepts, the NLU code,
the NLU config), so only the first start after a change trains.

Below its threshold the intent is ``unknown``: per intent from ``thresholds.yaml`` (chosen
by cross-validation, ``wxbot nlu tune``), else config ``nlu.confidence_threshold``.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot.nlu import tokenize
from bot.nlu.classifier import IN_DOMAIN_WEIGHT, C, LinearModel
from bot.nlu.normalize import for_intent

log = logging.getLogger(__name__)

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

CORPUS_DIR = Path(__file__).with_name("corpus")
CONCEPTS = Path(__file__).with_name("concepts.yaml")
THRESHOLDS = Path(__file__).with_name("thresholds.yaml")
DEFAULT_THRESHOLD = 0.3
KEEP_MODELS = 8  # cached models kept, least recently used dropped (tests build several configs)
CACHE_DIR = Path(os.environ.get("WXBOT_NLU_CACHE") or Path(__file__).parents[2] / "var" / "nlu")

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


def __getattr__(name: str) -> tuple[str, ...]:
    if name == "INTENTS":  # the intents the NLU learns: declared by the routers
        return intent_names()
    raise AttributeError(name)


def intent_names() -> tuple[str, ...]:
    """The intents the classifier knows (bot/dialog/registry.py: ``classified`` routes)."""
    from bot.dialog import registry

    return registry.classified()


def corpus_files(directory: Path = CORPUS_DIR) -> list[Path]:
    """The NLU's own corpus and the files routers declare next to their feature."""
    files = sorted(directory.glob("*.yaml"))
    if directory == CORPUS_DIR:
        from bot.dialog import registry

        files += [p for p in registry.extra_corpora() if p not in files]
    return files


def load_corpus(directory: Path = CORPUS_DIR) -> list[tuple[str, str]]:
    """(utterance, intent) pairs from every ``*.yaml`` in the corpus directory (and the
    corpus files of included routers)."""
    pairs: list[tuple[str, str]] = []
    for path in corpus_files(directory):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader) or {}
        intent = data["intent"]
        if not re.fullmatch(r"[a-z][a-z_]*", str(intent)):
            raise ValueError(f"{path.name}: bad intent name {intent!r}")
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
    feats += [f"t:{compact[i : i + 3]}" for i in range(len(compact) - 2)]
    feats += [f"l:{w}" for w in _LATIN.findall(s)]
    if len(compact) <= 2:
        feats.append(f"short:{compact}")
    return feats + concepts


def per_intent_thresholds(path: Path = THRESHOLDS) -> dict[str, float]:
    if not path.exists():
        return {}
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader) or {}
    return {str(k): float(v) for k, v in (data.get("thresholds") or {}).items()}


def fingerprint(extra: str = "") -> str:
    """A hash of everything that shapes the trained model: the corpus, the NLU code and
    dictionaries, and ``extra`` (the NLU config)."""
    h = hashlib.sha256(f"{C}|{IN_DOMAIN_WEIGHT}|{extra}".encode())
    root = Path(__file__).parent
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".yaml", ".txt") and path.name != THRESHOLDS.name:
            h.update(str(path.relative_to(root)).encode())
            h.update(path.read_bytes())
    for path in corpus_files():
        if root not in path.parents:
            h.update(str(path).encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


def train(pairs: list[tuple[str, str]], prepare: Callable[[str], str]) -> LinearModel:
    return LinearModel.fit([features(prepare(t)) for t, _ in pairs], [i for _, i in pairs])


def cached_model(key: str, build: Callable[[], LinearModel]) -> LinearModel:
    """The model cached under ``key``, else ``build()`` it and cache it (best effort)."""
    path = CACHE_DIR / f"intent-model-{key}.npz"
    if path.exists():
        try:
            model = LinearModel.load(path)
        except Exception:  # a torn or old file: train again
            log.warning("nlu model cache %s unreadable; training again", path)
        else:
            try:
                path.touch()  # recently used: pruned last (the shipped config's model above all)
            except OSError:
                pass
            return model
    model = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        model.save(path)
        old = sorted(
            (p for p in path.parent.glob("intent-model-*.npz") if ".tmp" not in p.name),
            key=lambda p: p.stat().st_mtime,
        )
        for stale in old[:-KEEP_MODELS]:  # models of corpora and configs long gone
            stale.unlink(missing_ok=True)
    except OSError:
        log.warning("nlu model cache %s not writable", path)
    return model


@dataclass
class IntentResult:
    intent: str
    confidence: float
    scores: dict[str, float]


class IntentModel:
    """``prepare`` turns a raw utterance into the classifier's text (the pipeline masks
    entities with it, the same way for training and for parsing). ``cache_key`` (the
    pipeline's config) lets a trained model be reused from ``var/nlu/``."""

    def __init__(
        self,
        pairs: list[tuple[str, str]] | None = None,
        threshold: float = DEFAULT_THRESHOLD,
        prepare: Callable[[str], str] = for_intent,
        cache_key: str | None = None,
        thresholds: dict[str, float] | None = None,
    ):
        self.threshold = threshold
        self.thresholds = per_intent_thresholds() if thresholds is None else thresholds
        if pairs is None and cache_key is not None:
            self.model = cached_model(fingerprint(cache_key), lambda: train(load_corpus(), prepare))
        else:
            self.model = train(pairs if pairs is not None else load_corpus(), prepare)

    def limit(self, intent: str) -> float:
        return self.thresholds.get(intent, self.threshold)

    def classify(self, normalised: str, threshold: float | None = None) -> IntentResult:
        best, conf, scores = self.model.predict(features(normalised))
        limit = self.limit(best) if threshold is None else threshold
        if not best or conf < limit:
            # too little evidence: the top score is still reported as the confidence
            return IntentResult("unknown", conf, scores)
        return IntentResult(best, conf, scores)
