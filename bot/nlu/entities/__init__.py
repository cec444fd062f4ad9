"""Entity extractors, one module per entity type. Each exposes ``extract(ctx) -> list[Entity]``."""

from __future__ import annotations

import importlib
from bisect import bisect_right
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
    taken: list[tuple[int, int]] = field(default_factory=list)  # appended to, never edited
    _index: tuple[int, list[int], list[int]] = field(default=(0, [], []), repr=False)

    def span(self, start: int, end: int) -> str:
        """What the user wrote between ``start`` and ``end``."""
        return self.original[start:end]

    def entity(
        self, type_: str, value: str, start: int, end: int, extra: dict | None = None
    ) -> Entity:
        return Entity(type_, value, self.span(start, end).strip(), start, end, dict(extra or {}))

    def overlaps(self, start: int, end: int) -> bool:
        return self.first_overlap(start, end) is not None

    def first_overlap(self, start: int, end: int) -> int | None:
        """Where the first taken span that overlaps ``start``–``end`` begins, or None.
        O(log n): a message full of dates or phones must not make every check a scan."""
        if len(self.taken) != self._index[0]:
            spans = sorted(self.taken)
            ends, high = [], -1
            for _, e in spans:
                high = max(high, e)
                ends.append(high)  # the furthest end among this span and those before
            self._index = (len(self.taken), [s for s, _ in spans], ends)
        _, starts, ends = self._index
        i = bisect_right(ends, start)  # the first span ending after start
        return starts[i] if i < len(starts) and starts[i] < end else None


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
