"""The automatic tags' rules, each a SELECT of ``customer_id`` (one row or more per
customer who has the tag today). Dates are computed here from ``today`` so the SQL compares
plain columns and reads the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select

from storage.models import (
    ConsumableStage,
    Customer,
    Device,
    Handoff,
    Rating,
    Supply,
    TradeInRequest,
)
from storage.repos.care_sql import Sql


def years_before(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


def months_before(d: date, months: int) -> date:
    m = d.year * 12 + d.month - 1 - months
    y, mo = divmod(m, 12)
    day = min(d.day, 28) if mo + 1 == 2 else min(d.day, 30 if mo + 1 in (4, 6, 9, 11) else 31)
    return date(y, mo + 1, day)


def _live() -> Any:
    return Device.retired.is_(False)


def device_age(sql: Sql, today: date, category: str | None, min_years: int) -> Select:
    """A live unit (of ``category``) bought or installed ``min_years``+ years ago."""
    bought = func.coalesce(Device.purchase_date, Device.install_date)
    q = select(Device.customer_id.label("customer_id")).where(
        _live(), bought <= years_before(today, int(min_years))
    )
    if category:
        q = q.where(Device.category == category)
    return q


def owns(sql: Sql, today: date, category: str | None) -> Select:
    q = select(Device.customer_id.label("customer_id")).where(_live())
    if category:
        q = q.where(Device.category == category)
    return q


def filter_due(sql: Sql, today: date, within_days: int) -> Select:
    """A purifier stage due within ``within_days`` (or overdue)."""
    due = sql.add_days(ConsumableStage.last_replaced_on, ConsumableStage.life_days)
    return (
        select(Device.customer_id.label("customer_id"))
        .select_from(ConsumableStage)
        .join(Device, Device.id == ConsumableStage.device_id)
        .where(_live(), due <= sql.day(today + timedelta(days=int(within_days))))
    )


def warranty_ending(sql: Sql, today: date, within_days: int) -> Select:
    """Warranty (or extended warranty) ending in the next ``within_days`` days."""
    end = func.coalesce(
        Device.extended_until, sql.add_months(Device.purchase_date, Device.warranty_months)
    )
    return select(Device.customer_id.label("customer_id")).where(
        _live(),
        Device.purchase_date.is_not(None),
        end >= sql.day(today),
        end <= sql.day(today + timedelta(days=int(within_days))),
    )


def baby(sql: Sql, today: date, max_age_months: int) -> Select:
    """A baby born in the last ``max_age_months`` months, or formula being bought."""
    born = select(Customer.id.label("customer_id")).where(
        Customer.baby_birthday.is_not(None),
        Customer.baby_birthday <= today,
        Customer.baby_birthday >= months_before(today, int(max_age_months)),
    )
    formula = select(Supply.customer_id.label("customer_id")).where(
        Supply.active.is_(True), Supply.category == "奶粉"
    )
    return born.union(formula)  # type: ignore[return-value]


def new_home(sql: Sql, today: date, within_months: int) -> Select:
    return select(Customer.id.label("customer_id")).where(
        Customer.home_since.is_not(None),
        Customer.home_since >= months_before(today, int(within_months)),
    )


def complained(sql: Sql, today: date, within_days: int) -> Select:
    from datetime import UTC, datetime, time

    since = datetime.combine(today - timedelta(days=int(within_days)), time(0), UTC)
    return select(Handoff.customer_id.label("customer_id")).where(
        Handoff.kind.in_(("complaint", "low_rating")), Handoff.created_at >= since
    )


def five_star(sql: Sql, today: date) -> Select:
    """Rated a service five stars, and never below three."""
    low = select(Rating.customer_id).where(Rating.stars < 3)
    return select(Rating.customer_id.label("customer_id")).where(
        Rating.stars == 5, Rating.customer_id.not_in(low)
    )


def trade_in(sql: Sql, today: date) -> Select:
    return select(TradeInRequest.customer_id.label("customer_id")).where(
        or_(TradeInRequest.status.is_(None), TradeInRequest.status != "cancelled")
    )


RULES: dict[str, Callable[..., Select]] = {
    "device_age": device_age,
    "owns": owns,
    "filter_due": filter_due,
    "warranty_ending": warranty_ending,
    "baby": baby,
    "new_home": new_home,
    "complained": complained,
    "five_star": five_star,
    "trade_in": trade_in,
}


def rule_select(sql: Sql, today: date, rule: str, params: dict[str, Any]) -> Select:
    return RULES[rule](sql, today, **params)
