"""Entity extractors, one module per entity type. Each exposes ``extract(ctx) -> list[Entity]``."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from functools import lru_cache
from types import ModuleType

from bot.nlu.lexicon import Lexicon
from bot.nlu.types import Entity


@dataclass
class Context:
    """What an extractor sees: ``text`` is the position-preserving canonical form of
    ``original`` (half-width, simplified)."""

    original: str
    text: str
    now: datetime
    tz: tzinfo
    lexicon: Lexicon
    taken: list[tuple[int, int]] = field(default_factory=list)

    def span(self, start: int, end: int) -> str:
        """What the user wrote between ``start`` and ``end``."""
        return self.original[start:end]

    def entity(
        self, type_: str, value: str, start: int, end: int, extra: dict | None = None
    ) -> Entity:
        return Entity(type_, value, self.span(start, end).strip(), start, end, dict(extra or {}))

    def overlaps(self, start: int, end: int) -> bool:
        return any(start < e and s < end for s, e in self.taken)


ORDER = (
    "phone",
    "model",
    "datetime",
    "address",
    "product_category",
    "brand",
    "symptom",
    "quantity",
)
_CLAIMING = {"phone", "model", "datetime", "address"}


@lru_cache(maxsize=1)
def _modules() -> list[tuple[str, ModuleType]]:
    # importlib: a plain "from bot.nlu.entities import datetime" would find the stdlib class
    return [(n, importlib.import_module(f"bot.nlu.entities.{n}")) for n in ORDER]


def extract_all(ctx: Context) -> list[Entity]:
    """Run every extractor; phones and models first so their digits are not read as
    dates or quantities. Returned in text order."""
    found: list[Entity] = []
    for name, module in _modules():
        for ent in module.extract(ctx):
            found.append(ent)
            if name in _CLAIMING:
                ctx.taken.append((ent.start, ent.end))
    found.sort(key=lambda e: (e.start, e.type))
    return found
