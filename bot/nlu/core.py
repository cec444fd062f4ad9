"""The NLU pipeline: normalise → entities → intent, with its dictionaries and threshold."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from bot.nlu import tokenize
from bot.nlu.acknowledgement import is_acknowledgement
from bot.nlu.consequence import is_action, on_topic, overruled
from bot.nlu.entities import Context, extract_all
from bot.nlu.intents import DEFAULT_THRESHOLD, IntentModel
from bot.nlu.lexicon import Lexicon, build_lexicon
from bot.nlu.limits import clip, max_chars
from bot.nlu.normalize import canonical, squeeze
from bot.nlu.types import Parse

DEFAULT_TZ = ZoneInfo("Asia/Shanghai")
_MASK = {"phone": " 电话号码 ", "model": " 型号 ", "datetime": " 某时 ", "address": " 某地 "}
# What may surround a bare product mention ("空调", "我家有台海尔冰箱") that asks for nothing.
# Off: bot/dialog reads an in-form answer such as "格力空调" by its intent (see report).
BARE_NAMES_UNKNOWN = False
# Short messages recur (你好, 谢谢, 在吗, 人工, a menu button's words): their parse is kept,
# unless it holds a date or time (resolved against ``now``). Bounded in entries and length.
RECENT_MAX_CHARS = 24
RECENT_ENTRIES = 4096
_NOW_DEPENDENT = frozenset({"datetime"})
_NAMING = {"product_category", "brand", "model", "quantity"}
_NAMES = {"product_category", "brand"}
_FILLER = re.compile(r"[\s的了啊呀呢吧嘛哦哈是有台个部一这那我家里们用买和跟还]+")


def _masked(canon: str, entities: list) -> str:
    """``canon`` with each phone / model / date / address span replaced by its mask word,
    built in one pass (right to left, as spans were masked one by one before)."""
    pieces: list[str] = []
    end = len(canon)
    for e in sorted(entities, key=lambda e: -e.start):
        if e.type in _MASK:
            pieces.append(canon[e.end : end] if e.end <= end else "")
            pieces.append(_MASK[e.type])
            end = min(end, e.start)
    pieces.append(canon[:end])
    return "".join(reversed(pieces))


def _remember(kept: dict[str, Any], key: str, value: Any) -> None:
    """Keep ``value`` under ``key``, the oldest entry going when :data:`RECENT_ENTRIES` are
    kept (a parse may also run on a worker thread: a race just empties the dict)."""
    if len(kept) >= RECENT_ENTRIES:
        try:
            kept.pop(next(iter(kept)), None)
        except (RuntimeError, StopIteration):
            kept.clear()
    kept[key] = value


class Pipeline:
    """Everything ``parse`` needs, built once (jieba load + the trained intent model from
    ``var/nlu/``; training it when the corpus changed takes a few seconds)."""

    def __init__(self, nlu_config: dict[str, Any] | None = None, tz: tzinfo | None = None):
        cfg = nlu_config or {}
        self.lexicon: Lexicon = build_lexicon(cfg)
        self.threshold = float(cfg.get("confidence_threshold", DEFAULT_THRESHOLD))
        self.tz = tz or DEFAULT_TZ
        self.max_chars = max_chars(cfg)  # the head of a message that is read (bot/nlu/limits.py)
        tokenize.tokenizer(self.lexicon.domain_words())
        self.model = IntentModel(
            threshold=self.threshold,
            prepare=self._training_text,
            cache_key=repr((sorted(cfg.items()), str(self.tz))),
        )
        self._recent: dict[str, Parse] = {}
        self._classified: dict[str, tuple[str, float]] = {}

    def _training_text(self, text: str) -> str:
        now = datetime(2026, 1, 1, 12, tzinfo=self.tz)
        return self._prepare(text, now, self.tz)[1]

    def _prepare(self, text: str, now: datetime, tz: tzinfo) -> tuple[list, str]:
        """Entities, and the classifier's view of the text with entity spans masked."""
        canon = canonical(text)
        ctx = Context(original=text, text=canon, now=now, tz=tz, lexicon=self.lexicon)
        entities = extract_all(ctx)
        return entities, squeeze(_masked(canon, entities))

    @staticmethod
    def _only_names(text: str, entities: list) -> bool:
        """Nothing but product / brand names (and filler): a mention, not a request."""
        spans = [e for e in entities if e.type in _NAMING]
        if not any(e.type in _NAMES for e in spans) or len(spans) < len(entities):
            return False
        rest = text
        for e in sorted(spans, key=lambda e: -e.start):
            rest = rest[: e.start] + " " + rest[e.end :]
        return not _FILLER.sub("", squeeze(rest))

    def parse(self, text: str, now: datetime | None = None, tz: tzinfo | None = None) -> Parse:
        text = clip(text, self.max_chars)  # before anything else reads it
        if tz is None or tz is self.tz:
            kept = self._recent.get(text)
            if kept is not None:  # a copy: the dialog may rename a parse's intent
                return replace(kept, entities=list(kept.entities))
        result = self._parse(text, now, tz)
        if (
            len(text) <= RECENT_MAX_CHARS
            and (tz is None or tz is self.tz)
            and not any(e.type in _NOW_DEPENDENT for e in result.entities)
        ):
            _remember(self._recent, text, replace(result, entities=list(result.entities)))
        return result

    def _classify(self, prepared: str) -> tuple[str, float]:
        """The classifier's intent and confidence for the masked text. Kept for short ones:
        「明天上午」 and 「后天下午」 mask alike (their dates are found anew each time)."""
        kept = self._classified.get(prepared)
        if kept is not None:
            return kept
        result = self.model.classify(prepared)
        kept = (result.intent, result.confidence)
        if len(prepared) <= RECENT_MAX_CHARS:
            _remember(self._classified, prepared, kept)
        return kept

    def _parse(self, text: str, now: datetime | None, tz: tzinfo | None) -> Parse:
        tz = tz or self.tz
        now = (now or datetime.now(UTC)).astimezone(tz)
        text = text.strip("\r\n")
        entities, prepared = self._prepare(text, now, tz)
        intent, confidence = self._classify(prepared)
        held = None
        if is_action(intent) and is_acknowledgement(text):  # 「收到提醒了」: thanked, not acted on
            intent = "thanks"
        elif intent != "unknown" and overruled(intent, text):  # 不是要投诉, 邻居家的…
            intent = "unknown"
        elif not on_topic(intent, text, self.lexicon.names_matcher):  # 「门票贵不贵？」
            intent, held = "unknown", intent
        if (
            BARE_NAMES_UNKNOWN
            and intent != "unknown"
            and self._only_names(canonical(text), entities)
        ):
            intent, confidence = "unknown", min(confidence, self.threshold / 2)
        return Parse(text=text, intent=intent, confidence=confidence, entities=entities, held=held)
