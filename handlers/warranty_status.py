"""Warranty: until when a unit is covered, how many days are left, and which plans fit it.

Covered until the later of purchase_date + warranty_months and ``extended_until`` (延保 or
全保 bought earlier). Units still covered are offered extended warranty for 1/2/3 years;
units out of cover (and not older than ``full_cover.max_age_years``) a year of full cover.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from handlers.catalog import Catalog, Plan
from storage.models import Device


def add_months(day: date, months: int) -> date:
    """Calendar months later, clamped to the month's last day (Jan 31 + 1 → Feb 28)."""
    m = day.month - 1 + months
    year, month = day.year + m // 12, m % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years)


@dataclass(frozen=True)
class WarrantyStatus:
    device_id: int | None
    category: str
    purchase_date: date | None
    factory_until: date | None
    extended_until: date | None
    until: date | None  # None: purchase date unknown
    days_left: int | None
    age_years: int | None
    cover_kind: str | None = (
        None  # the entitlement behind extended_until: extended_warranty|full_cover
    )

    @property
    def known(self) -> bool:
        return self.until is not None

    @property
    def in_warranty(self) -> bool:
        return self.days_left is not None and self.days_left >= 0

    @property
    def extended(self) -> bool:
        return bool(
            self.extended_until
            and (not self.factory_until or self.extended_until > self.factory_until)
        )

    def text(self) -> str:
        """ "在保，保修至2027-11-24，还剩364天" / "已过保（2025-06-01到期）" / "购买日期未登记"."""
        if not self.known:
            return "购买日期未登记，暂时查不到保修期"
        kind = "保修"
        if self.extended:
            kind = "全保" if self.cover_kind == "full_cover" else "延保"
        if self.in_warranty:
            return f"在保，{kind}至{self.until:%Y-%m-%d}，还剩{self.days_left}天"
        return f"已过保（{self.until:%Y-%m-%d}到期）"


def status(device: Device, today: date, cover_kind: str | None = None) -> WarrantyStatus:
    """``cover_kind``: the kind of the entitlement in force, when the caller looked it up."""
    factory = (
        add_months(device.purchase_date, device.warranty_months or 0)
        if device.purchase_date
        else None
    )
    candidates = [d for d in (factory, device.extended_until) if d is not None]
    until = max(candidates) if candidates else None
    age = None
    if device.purchase_date:
        age = (
            today.year
            - device.purchase_date.year
            - ((today.month, today.day) < (device.purchase_date.month, device.purchase_date.day))
        )
    return WarrantyStatus(
        device_id=device.id,
        category=device.category,
        purchase_date=device.purchase_date,
        factory_until=factory,
        extended_until=device.extended_until,
        until=until,
        days_left=(until - today).days if until else None,
        age_years=age,
        cover_kind=cover_kind,
    )


def plans_for(catalog: Catalog, st: WarrantyStatus) -> list[Plan]:
    """Extended warranty while covered (once); full cover once out of it (if not too old)."""
    if not st.known or (st.in_warranty and st.extended):
        return []  # nothing known, or already extended
    if st.in_warranty:
        return catalog.extended_plans(st.category)
    max_age = catalog.full_cover_max_age
    if max_age is not None and (st.age_years or 0) > max_age:
        return []
    plan = catalog.full_cover_plan(st.category)
    return [plan] if plan else []


def cover_period(st: WarrantyStatus, plan: Plan, today: date) -> tuple[date, date]:
    """The dates a plan bought today covers: extended warranty starts when the current cover
    ends; full cover starts today."""
    if plan.kind == "extended_warranty" and st.until is not None and st.until >= today:
        start = st.until + timedelta(days=1)
    else:
        start = today
    return start, add_years(start, plan.years) - timedelta(days=1)
