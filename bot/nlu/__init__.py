"""Understanding one message: normalise → jieba tokens → intent + entities.

The public surface: :func:`parse`, :class:`Parse`, :class:`Entity`, :func:`warm_up_in_background`.
(Placeholder keyword rules until the trained classifier lands.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo


@dataclass
class Entity:
    type: str
    value: str
    text: str
    start: int = -1
    end: int = -1


@dataclass
class Parse:
    text: str
    intent: str
    confidence: float
    entities: list[Entity] = field(default_factory=list)

    def first(self, type_: str) -> Entity | None:
        return next((e for e in self.entities if e.type == type_), None)

    def as_json(self) -> dict:
        return {
            "text": self.text,
            "intent": self.intent,
            "confidence": round(self.confidence, 3),
            "entities": [{"type": e.type, "value": e.value, "text": e.text} for e in self.entities],
        }


_KEYWORDS = {
    "repair": ("修", "坏", "不制冷", "漏水"),
    "trade_in": ("以旧换新", "换新"),
    "filter_reorder": ("滤芯",),
    "greeting": ("你好", "在吗"),
    "thanks": ("谢谢",),
}


def parse(text: str, now: datetime | None = None, tz: tzinfo | None = None) -> Parse:
    for intent, words in _KEYWORDS.items():
        if any(w in text for w in words):
            return Parse(text, intent, 0.9)
    return Parse(text, "unknown", 0.0)


def warm_up_in_background() -> None:
    return None
