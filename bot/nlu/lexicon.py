"""Synonym dictionaries (categories, brands, symptoms): defaults in lexicon.yaml, extended by
config.yaml's ``nlu`` section."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_DEFAULTS = Path(__file__).with_name("lexicon.yaml")


@dataclass(frozen=True, eq=False)
class Lexicon:
    categories: dict[str, list[str]]
    brands: dict[str, list[str]]
    symptoms: dict[str, list[str]]

    @cached_property
    def category_matcher(self) -> re.Pattern[str]:
        return _matcher(self.categories)

    @cached_property
    def brand_matcher(self) -> re.Pattern[str]:
        return _matcher(self.brands)

    @cached_property
    def names_matcher(self) -> re.Pattern[str]:
        """Any appliance or brand name (a message about the customer's things)."""
        return _matcher({**self.brands, **self.categories})

    @cached_property
    def _category_names(self) -> dict[str, str]:
        return _reverse(self.categories)

    @cached_property
    def _brand_names(self) -> dict[str, str]:
        return _reverse(self.brands)

    @cached_property
    def symptom_patterns(self) -> list[tuple[str, re.Pattern[str]]]:
        """(canonical symptom, compiled alternatives), in dictionary order."""
        return [
            (canon, re.compile("|".join(f"(?:{p})" for p in pats)))
            for canon, pats in self.symptoms.items()
        ]

    def canonical_category(self, word: str) -> str | None:
        return self._category_names.get(word.lower())

    def canonical_brand(self, word: str) -> str | None:
        return self._brand_names.get(word.lower())

    def domain_words(self) -> list[str]:
        """Words for jieba's user dictionary."""
        words = {w for syn in (*self.categories.values(), *self.brands.values()) for w in syn}
        return sorted(w for w in words if not w.isascii() and len(w) > 1)


def _freeze(d: dict[str, list[str]]) -> tuple:
    return tuple((k, tuple(v)) for k, v in d.items())


@lru_cache(maxsize=16)
def _compile(frozen: tuple) -> re.Pattern[str]:
    words = sorted({w for _, syns in frozen for w in (*syns,)}, key=len, reverse=True)
    parts = []
    for w in words:
        esc = re.escape(w)
        # ASCII words must stand alone ("AC" not inside "ACB"); Chinese words need no border.
        parts.append(f"(?<![A-Za-z]){esc}(?![A-Za-z])" if w.isascii() else esc)
    return re.compile("|".join(parts), re.IGNORECASE)


def _matcher(d: dict[str, list[str]]) -> re.Pattern[str]:
    return _compile(_freeze(d))


@lru_cache(maxsize=16)
def _reverse_frozen(frozen: tuple) -> dict[str, str]:
    out: dict[str, str] = {}
    for canon, syns in frozen:
        for w in (canon, *syns):
            out.setdefault(w.lower(), canon)
    return out


def _reverse(d: dict[str, list[str]]) -> dict[str, str]:
    return _reverse_frozen(_freeze(d))


def _merge(base: dict[str, list[str]], extra: Any) -> dict[str, list[str]]:
    out = {k: list(v) for k, v in base.items()}
    if isinstance(extra, dict):
        for canon, syns in extra.items():
            syns = [str(s) for s in (syns or [])]
            out[str(canon)] = [str(canon), *syns] if str(canon) not in syns else syns
    return out


@lru_cache(maxsize=1)
def _default_data() -> dict[str, Any]:
    return yaml.load(_DEFAULTS.read_text(encoding="utf-8"), Loader=_Loader)


def build_lexicon(nlu_config: dict[str, Any] | None = None) -> Lexicon:
    """Defaults from lexicon.yaml, then the ``nlu`` config section's dictionaries on top."""
    data = _default_data()
    cfg = nlu_config or {}
    return Lexicon(
        categories=_merge(data["categories"], cfg.get("categories")),
        brands=_merge(data["brands"], cfg.get("brands")),
        symptoms=_merge(data["symptoms"], cfg.get("symptoms")),
    )
