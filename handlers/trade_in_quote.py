"""Trade-in (以旧换新) arithmetic: an old unit's residual value, the subsidy in force, the bill.

residual = category base value × age depreciation × condition factor (× not-working factor,
× brand factor),
rounded down to whole yuan, never below the floor. subsidy = percent of the new unit's price
by energy grade, capped per item, from the policy in force on the day, once per category per
customer per policy period. pay = new price − residual − subsidy (never below zero).
All config in ``trade_in:`` and ``catalog:``; all money integer fen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from handlers.catalog import Catalog
from handlers.money import yuan
from storage.repos import trade_ins

CONDITIONS = ("好", "一般", "差")
GRADE_WORDS = {1: "一级", 2: "二级", 3: "三级", 4: "四级", 5: "五级"}


class QuoteError(ValueError):
    """The old unit cannot be valued (unknown category, impossible age…); the text says why."""


@dataclass(frozen=True)
class OldUnit:
    category: str
    age_years: int
    working: bool = True
    condition: str = "一般"
    brand: str | None = None


@dataclass(frozen=True)
class NewUnit:
    category: str
    energy_grade: int
    price_fen: int
    brand: str | None = None
    model: str | None = None


@dataclass(frozen=True)
class Policy:
    id: str
    name: str
    valid_from: date
    valid_until: date
    categories: tuple[str, ...]
    percent_by_grade: dict[int, float]
    cap_fen: int

    def in_force(self, day: date) -> bool:
        return self.valid_from <= day <= self.valid_until


@dataclass
class Quote:
    old_value_fen: int
    subsidy_fen: int
    new_price_fen: int
    pay_fen: int
    policy: Policy | None = None
    reasons: list[str] = field(default_factory=list)  # why there is no subsidy

    @property
    def subsidy_eligible(self) -> bool:
        return self.subsidy_fen > 0

    def lines(self) -> list[str]:
        """The bill as the customer reads it."""
        out = [
            f"新机价格：{yuan(self.new_price_fen)}",
            f"旧机抵扣：-{yuan(self.old_value_fen)}",
        ]
        if self.subsidy_fen:
            out.append(f"政府补贴：-{yuan(self.subsidy_fen)}")
        out.append(f"您需支付：{yuan(self.pay_fen)}")
        return out


def _date(value: Any, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise QuoteError(f"trade_in: {where} is not a date (YYYY-MM-DD): {value!r}") from None


def policies(settings: Settings) -> list[Policy]:
    out = []
    for i, p in enumerate(settings.trade_in.get("policies") or []):
        out.append(
            Policy(
                id=str(p["id"]),
                name=str(p.get("name") or p["id"]),
                valid_from=_date(p["valid_from"], f"policies[{i}].valid_from"),
                valid_until=_date(p["valid_until"], f"policies[{i}].valid_until"),
                categories=tuple(p.get("categories") or ()),
                percent_by_grade={
                    int(k): float(v) for k, v in (p.get("percent_by_grade") or {}).items()
                },
                cap_fen=int(p.get("cap_fen") or 0),
            )
        )
    return out


def policy_on(settings: Settings, day: date) -> Policy | None:
    """The first policy (in config order) whose dates include ``day``."""
    return next((p for p in policies(settings) if p.in_force(day)), None)


def depreciation(settings: Settings, age_years: int) -> float:
    """The factor for the largest age in the curve not above ``age_years``."""
    curve = {int(k): float(v) for k, v in (settings.trade_in.get("depreciation") or {0: 1}).items()}
    ages = [a for a in sorted(curve) if a <= age_years]
    return curve[ages[-1]] if ages else curve[min(curve)]


def residual_value(settings: Settings, old: OldUnit) -> int:
    """What the old unit is worth, in fen."""
    cfg = settings.trade_in
    category = Catalog.of(settings).category(old.category)
    if category is None:
        raise QuoteError(
            f"暂不回收{old.category}，目前可以回收：" + "、".join(Catalog.of(settings).categories)
        )
    if old.age_years < 0:
        raise QuoteError("购买年份不能晚于今年哦")
    conditions = {str(k): float(v) for k, v in (cfg.get("condition") or {}).items()}
    if old.condition not in conditions:
        raise QuoteError("成色请选：" + "、".join(conditions))
    value = (
        category.base_value_fen * depreciation(settings, old.age_years) * conditions[old.condition]
    )
    if not old.working:
        value *= float(cfg.get("not_working_factor", 0.4))
    if old.brand:
        value *= float((cfg.get("brand_factor") or {}).get(old.brand, 1.0))
    step = int(cfg.get("round_to_fen", 100)) or 1
    value_fen = int(value) // step * step
    return max(value_fen, int(cfg.get("floor_fen", 0)))


def subsidy(
    policy: Policy | None, new: NewUnit, used_categories: set[str] = frozenset()
) -> tuple[int, list[str]]:
    """``(fen, reasons)``: the subsidy on ``new``, or 0 and why not."""
    if policy is None:
        return 0, ["今天没有在期的以旧换新补贴政策"]
    reasons = []
    if new.category not in policy.categories:
        reasons.append(f"{new.category}不在「{policy.name}」的补贴品类内")
    percent = policy.percent_by_grade.get(new.energy_grade)
    if not percent:
        ok = "、".join(GRADE_WORDS.get(g, f"{g}级") for g in sorted(policy.percent_by_grade))
        grade = GRADE_WORDS.get(new.energy_grade, f"{new.energy_grade}级")
        reasons.append(f"补贴只给{ok}能效的新机，所选是{grade}能效")
    if new.category in used_categories:
        reasons.append(
            f"您在本期（{policy.valid_from:%Y-%m-%d}至{policy.valid_until:%Y-%m-%d}）"
            f"已经享受过一次{new.category}补贴"
        )
    if reasons:
        return 0, reasons
    amount = int(new.price_fen * percent // 100)
    if policy.cap_fen:
        amount = min(amount, policy.cap_fen)
    return amount, []


def compute_quote(
    settings: Settings,
    day: date,
    old: OldUnit,
    new: NewUnit,
    used_categories: set[str] = frozenset(),
) -> Quote:
    """The whole quote, with nothing from the database (``used_categories`` passed in)."""
    old_value = residual_value(settings, old)
    policy = policy_on(settings, day)
    amount, reasons = subsidy(policy, new, used_categories)
    pay = max(0, new.price_fen - old_value - amount)
    return Quote(old_value, amount, new.price_fen, pay, policy, reasons)


async def quote(
    session: AsyncSession,
    settings: Settings,
    day: date,
    customer_id: int | None,
    old: OldUnit,
    new: NewUnit,
) -> Quote:
    """:func:`compute_quote`, with the customer's earlier subsidies in this policy looked up."""
    policy = policy_on(settings, day)
    used: set[str] = set()
    if policy is not None and customer_id is not None:
        used = await trade_ins.subsidised_categories(session, customer_id, policy.id)
    return compute_quote(settings, day, old, new, used)
