"""The ``catalog:`` section of config.yaml, read into small typed records.

Categories (old-unit base values, factory warranty), water purifiers and their filter
stages, new units on sale, and warranty plans. Every price is integer fen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from bot.config import Settings


class CatalogError(ValueError):
    """A catalog entry that cannot be read; the message names the entry."""


@dataclass(frozen=True)
class Category:
    name: str
    base_value_fen: int
    warranty_months: int
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Stage:
    key: str  # pp|carbon|ro|post
    name: str
    life_months: int
    price_fen: int

    @property
    def life_days(self) -> int:
        return round(self.life_months * 365 / 12)


@dataclass(frozen=True)
class Purifier:
    brand: str
    model: str
    stages: tuple[Stage, ...]

    def stage(self, key: str) -> Stage | None:
        return next((s for s in self.stages if s.key == key), None)


@dataclass(frozen=True)
class UnitModel:
    category: str
    brand: str
    model: str
    energy_grade: int
    price_fen: int

    @property
    def label(self) -> str:
        return f"{self.brand} {self.model}"


@dataclass(frozen=True)
class Plan:
    kind: str  # extended_warranty|full_cover
    years: int
    price_fen: int

    @property
    def label(self) -> str:
        return f"延保{self.years}年" if self.kind == "extended_warranty" else f"全保{self.years}年"


def _latin(key: str) -> str:
    """The letters-and-digits code of a model key, without a leading series name."""
    return re.sub(r"^[^A-Z0-9]+", "", key)


def model_key(text: str) -> str:
    """Model numbers compared loosely: case, spaces, dashes and brackets ignored."""
    return re.sub(r"[\s\-_()（）/]+", "", text).upper()


def _int(value: Any, where: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise CatalogError(f"catalog: {where} must be a whole number, got {value!r}") from None


def _need(entry: Any, key: str, where: str) -> Any:
    if not isinstance(entry, dict) or key not in entry:
        raise CatalogError(f"catalog: {where} needs {key}")
    return entry[key]


_BUILT: dict[int, tuple[Any, Catalog]] = {}  # id(settings.catalog) → (that dict, its view)


class Catalog:
    """A read-only view of ``settings.catalog``."""

    def __init__(self, raw: dict[str, Any]):
        self.raw = raw or {}
        self.categories: dict[str, Category] = {}
        for name, c in (self.raw.get("categories") or {}).items():
            c = c or {}
            self.categories[name] = Category(
                name=name,
                base_value_fen=_int(
                    c.get("base_value_fen", 0), f"categories.{name}.base_value_fen"
                ),
                warranty_months=_int(c.get("warranty_months", 12), f"categories.{name}"),
                aliases=tuple(c.get("aliases") or ()),
            )
        self.purifiers: list[Purifier] = []
        for i, p in enumerate(self.raw.get("purifiers") or []):
            stages = tuple(
                Stage(
                    key=str(_need(s, "key", f"purifiers[{i}].stages")),
                    name=str(_need(s, "name", f"purifiers[{i}].stages")),
                    life_months=_int(
                        _need(s, "life_months", f"purifiers[{i}].stages"),
                        f"purifiers[{i}].stages.life_months",
                    ),
                    price_fen=_int(
                        _need(s, "price_fen", f"purifiers[{i}].stages"),
                        f"purifiers[{i}].stages.price_fen",
                    ),
                )
                for s in p.get("stages") or []
            )
            self.purifiers.append(
                Purifier(str(p.get("brand", "")), str(_need(p, "model", f"purifiers[{i}]")), stages)
            )
        self.models: list[UnitModel] = []
        for i, m in enumerate(self.raw.get("models") or []):
            grade = _int(m.get("energy_grade", 3), f"models[{i}].energy_grade")
            if grade not in (1, 2, 3, 4, 5):
                raise CatalogError(f"catalog: models[{i}].energy_grade must be 1-5")
            self.models.append(
                UnitModel(
                    category=str(_need(m, "category", f"models[{i}]")),
                    brand=str(m.get("brand", "")),
                    model=str(_need(m, "model", f"models[{i}]")),
                    energy_grade=grade,
                    price_fen=_int(_need(m, "price_fen", f"models[{i}]"), f"models[{i}].price_fen"),
                )
            )
        plans = self.raw.get("warranty_plans") or {}
        self._extended: dict[str, dict[int, int]] = {
            cat: {_int(y, f"warranty_plans.extended.{cat}"): _int(p, cat) for y, p in row.items()}
            for cat, row in (plans.get("extended") or {}).items()
        }
        full = dict(plans.get("full_cover") or {})
        self.full_cover_max_age: int | None = (
            _int(full.pop("max_age_years"), "full_cover.max_age_years")
            if "max_age_years" in full
            else None
        )
        self._full: dict[str, int] = {k: _int(v, f"full_cover.{k}") for k, v in full.items()}

    @classmethod
    def of(cls, settings: Settings) -> Catalog:
        """The catalog of these settings, built once (a turn asks several times)."""
        raw = settings.catalog
        cached = _BUILT.get(id(raw))
        if cached is None or cached[0] is not raw:
            cached = (raw, cls(raw))
            if len(_BUILT) > 32:  # tests build many settings; a service has one
                _BUILT.clear()
            _BUILT[id(raw)] = cached
        return cached[1]

    @property
    def filter_due_ahead_days(self) -> int:
        return _int(self.raw.get("filter_due_ahead_days", 15), "filter_due_ahead_days")

    @property
    def filter_install_fee_fen(self) -> int:
        return _int(self.raw.get("filter_install_fee_fen", 0), "filter_install_fee_fen")

    # ── categories ──
    def category(self, text: str | None) -> Category | None:
        """The category named (or aliased) by exactly this word."""
        if not text:
            return None
        text = text.strip()
        if text in self.categories:
            return self.categories[text]
        return next((c for c in self.categories.values() if text in c.aliases), None)

    def find_category(self, text: str) -> Category | None:
        """The first category (or alias) mentioned anywhere in ``text``; longest words first."""
        words = [(c.name, c) for c in self.categories.values()]
        words += [(a, c) for c in self.categories.values() for a in c.aliases]
        for word, cat in sorted(words, key=lambda w: -len(w[0])):
            if word and word in text:
                return cat
        return None

    # ── purifiers ──
    def purifier(self, model: str | None) -> Purifier | None:
        if not model:
            return None
        key = model_key(model)
        return next((p for p in self.purifiers if model_key(p.model) == key), None)

    def find_purifier(self, text: str) -> Purifier | None:
        """A purifier whose model number appears in ``text``."""
        key = model_key(text)
        return next((p for p in self.purifiers if model_key(p.model) in key), None)

    # ── new units ──
    def find_model(self, text: str) -> UnitModel | None:
        """A unit on sale whose model number appears in ``text``."""
        key = model_key(text)
        found = next((m for k, _, m in self._model_keys if k in key), None)
        if found is not None:
            return found
        # typed without the series name: "kfr 35gw n8ks1 1" for 酷省电KFR-35GW-N8KS1-1
        return next(
            (m for k, code, m in self._model_keys if len(code) >= 6 and code != k and code in key),
            None,
        )

    @cached_property
    def _model_keys(self) -> list[tuple[str, str, UnitModel]]:
        """Each unit's model key and its code without the series name, worked out once."""
        return [(k := model_key(m.model), _latin(k), m) for m in self.models]

    def pick_model(
        self, category: str, grade: int | None = None, budget_fen: int | None = None
    ) -> UnitModel | None:
        """The best unit of the category within the budget: the grade asked for (or better),
        the dearest that fits the budget; without a budget, the cheapest of that grade."""
        pool = [m for m in self.models if m.category == category]
        if grade is not None:
            pool = [m for m in pool if m.energy_grade <= grade]
        if budget_fen is not None:
            fitting = [m for m in pool if m.price_fen <= budget_fen]
            return max(fitting, key=lambda m: (m.price_fen, -m.energy_grade), default=None)
        return min(
            pool, key=lambda m: (m.energy_grade if grade is None else 0, m.price_fen), default=None
        )

    # ── warranty plans ──
    def extended_plans(self, category: str) -> list[Plan]:
        row = self._extended.get(category) or self._extended.get("default") or {}
        return [Plan("extended_warranty", y, p) for y, p in sorted(row.items())]

    def full_cover_plan(self, category: str) -> Plan | None:
        price = self._full.get(category, self._full.get("default"))
        return Plan("full_cover", 1, price) if price is not None else None
