"""The two values NLU hands out: :class:`Entity` and :class:`Parse`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Entity:
    """One thing found in a message. ``value`` is canonical; ``text`` is what the user wrote.

    ``extra`` carries type-specific detail that is not part of the JSON contract, e.g. for a
    datetime ``{"past": True, "kind": "date|point|range", "start": ..., "end": ...}``.
    """

    type: str
    value: str
    text: str
    start: int = -1
    end: int = -1
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Parse:
    text: str
    intent: str
    confidence: float
    entities: list[Entity] = field(default_factory=list)
    # A state change or an alert the classifier guessed but the message does not bear out
    # (no evidence word, nothing about the service): reported as ``unknown``, kept here so the
    # dialog may ask one short question. Not part of the JSON contract.
    held: str | None = None

    def first(self, type_: str) -> Entity | None:
        return next((e for e in self.entities if e.type == type_), None)

    def all(self, type_: str) -> list[Entity]:
        return [e for e in self.entities if e.type == type_]

    def as_json(self) -> dict:
        return {
            "text": self.text,
            "intent": self.intent,
            "confidence": round(self.confidence, 3),
            "entities": [{"type": e.type, "value": e.value, "text": e.text} for e in self.entities],
        }
