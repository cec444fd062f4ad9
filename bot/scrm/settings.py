"""The ``scrm:`` section of config.yaml: automatic tags by rule, campaign knobs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.config import Settings

RULE_PARAMS: dict[str, dict[str, Any]] = {
    "device_age": {"category": None, "min_years": 8},
    "owns": {"category": None},
    "filter_due": {"within_days": 15},
    "warranty_ending": {"within_days": 30},
    "baby": {"max_age_months": 36},
    "new_home": {"within_months": 12},
    "complained": {"within_days": 365},
    "five_star": {},
    "trade_in": {},
}
DEFAULT_GROUP = "售后标签"


class ScrmConfigError(ValueError):
    """A tag rule that cannot be used; the message names the tag and the problem."""


@dataclass(frozen=True)
class TagRule:
    name: str
    rule: str
    params: dict[str, Any] = field(default_factory=dict)


def scrm_config(settings: Settings) -> dict[str, Any]:
    return settings.scrm or {}


def tag_rules(settings: Settings) -> list[TagRule]:
    """The automatic tags, validated: unknown rules and keys are errors, not silence."""
    out: list[TagRule] = []
    for name, spec in (scrm_config(settings).get("tags") or {}).items():
        spec = dict(spec or {})
        rule = spec.pop("rule", None)
        if rule not in RULE_PARAMS:
            known = ", ".join(RULE_PARAMS)
            raise ScrmConfigError(f"scrm.tags.{name}: unknown rule {rule!r} (known: {known})")
        unknown = set(spec) - set(RULE_PARAMS[rule])
        if unknown:
            raise ScrmConfigError(f"scrm.tags.{name}: unknown key(s) {', '.join(sorted(unknown))}")
        if len(str(name)) > 30:
            raise ScrmConfigError(f"scrm.tags.{name}: a tag name has at most 30 characters")
        out.append(TagRule(str(name), rule, {**RULE_PARAMS[rule], **spec}))
    return out


def campaign_config(settings: Settings) -> dict[str, Any]:
    c = scrm_config(settings).get("campaigns") or {}
    return {"optout_kinds": list(c.get("optout_kinds") or ["all", "campaign"]), **c}


def wecom_group(settings: Settings) -> str:
    return str(scrm_config(settings).get("wecom_tag_group") or DEFAULT_GROUP)[:30]
