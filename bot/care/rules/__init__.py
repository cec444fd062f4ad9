"""The care rules, one module each. A rule module has KIND, OPTOUT, TITLE, FIELDS (its
placeholders), DEFAULTS (overridden by ``care.rules.<name>`` in config.yaml) and
``queries(ctx, cfg)`` returning SELECTs of (customer_id, occ, text)."""

from __future__ import annotations

import copy
from types import ModuleType
from typing import Any

from bot.care.rules import (
    aged_appliance,
    birthday,
    consumable_runout,
    festival,
    filter_due,
    home_anniversary,
    post_service,
    rental_due,
    rental_end,
    seasonal,
    solar_term,
    warranty_expiry,
)
from bot.care.template import check

RULES: dict[str, ModuleType] = {
    m.__name__.rsplit(".", 1)[1]: m
    for m in (
        post_service,
        filter_due,
        consumable_runout,
        warranty_expiry,
        aged_appliance,
        seasonal,
        festival,
        birthday,
        home_anniversary,
        solar_term,
        rental_due,
        rental_end,
    )
}


def rule_configs(care: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each rule's settings: its defaults overlaid with config; templates checked."""
    given = care.get("rules") or {}
    unknown = set(given) - set(RULES)
    if unknown:
        raise ValueError(f"care.rules: unknown rule(s) {', '.join(sorted(unknown))}")
    out: dict[str, dict[str, Any]] = {}
    for name, mod in RULES.items():
        cfg = copy.deepcopy(mod.DEFAULTS)
        cfg.update(given.get(name) or {})
        for key in getattr(mod, "TEXT_KEYS", ("text",)):
            if key in cfg:
                check(cfg[key], mod.FIELDS, f"care.rules.{name}.{key}")
        for i, season in enumerate(cfg.get("seasons") or []):
            check(season["text"], mod.FIELDS, f"care.rules.{name}.seasons[{i}].text")
        for fest, text in (cfg.get("texts") or {}).items():
            check(text, mod.FIELDS, f"care.rules.{name}.texts.{fest}")
        if cfg.get("channel", "auto") not in ("auto", "guide_task"):
            raise ValueError(f"care.rules.{name}.channel: auto or guide_task")
        out[name] = cfg
    return out
