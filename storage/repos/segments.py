"""Segments: a parsed expression (bot/scrm/segments.py) as one SELECT of customer ids, and
the saved segments (name → expression)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Customer, CustomerTag, Device, Segment, Staff, Store, Tag
from storage.repos.tag_rules import years_before


def _age(op: str, n: int, today: date) -> Any:
    """A unit's age in whole years compared with ``n``, as a condition on its date."""
    bought = func.coalesce(Device.purchase_date, Device.install_date)
    at_least = lambda k: bought <= years_before(today, k)  # noqa: E731 - age >= k
    below = lambda k: bought > years_before(today, k)  # noqa: E731 - age < k
    return {
        ">=": at_least(n),
        ">": at_least(n + 1),
        "<": and_(bought.is_not(None), below(n)),
        "<=": and_(bought.is_not(None), below(n + 1)),
        "=": and_(at_least(n), below(n + 1)),
    }[op]


def _contact(op: str, n: int, now: datetime) -> Any:
    """Days since the customer last wrote, compared with ``n`` (never wrote: very long)."""
    last = Customer.last_inbound_at
    at = now - timedelta(days=n)
    at1 = now - timedelta(days=n + 1)
    return {
        "<=": last > at1,
        "<": last > at,
        ">=": or_(last.is_(None), last <= at),
        ">": or_(last.is_(None), last <= at1),
        "=": and_(last <= at, last > at1),
    }[op]


def members(f: Any, today: date, now: datetime) -> Select:
    """SELECT customer_id of everyone matching the filter ``f`` (all terms)."""
    c = Customer
    conds: list[Any] = []
    for name in f.tags:
        conds.append(
            exists()
            .where(CustomerTag.customer_id == c.id, CustomerTag.tag_id == Tag.id)
            .where(Tag.name == name)
        )
    for code in f.stores:
        conds.append(c.store_id == select(Store.id).where(Store.code == code).scalar_subquery())
    for userid in f.guides:
        conds.append(
            c.guide_id == select(Staff.id).where(Staff.wecom_userid == userid).scalar_subquery()
        )
    for d in f.districts:
        conds.append(c.address.contains(d, autoescape=True))
    unit = [Device.retired.is_(False)] + [_age(op, n, today) for op, n in f.ages]
    for cat in f.categories:
        conds.append(exists().where(Device.customer_id == c.id, Device.category == cat, *unit))
    if f.ages and not f.categories:
        conds.append(exists().where(Device.customer_id == c.id, *unit))
    for op, n in f.contacts:
        conds.append(_contact(op, n, now))
    return select(c.id.label("customer_id")).where(*conds)


async def count(session: AsyncSession, q: Select) -> int:
    return int(await session.scalar(select(func.count()).select_from(q.subquery())) or 0)


async def rows(session: AsyncSession, q: Select, limit: int) -> list[Any]:
    """(id, name, phone, store code, guide userid) of the first ``limit`` members."""
    ids = q.subquery()
    result = await session.execute(
        select(Customer.id, Customer.name, Customer.phone, Store.code, Staff.wecom_userid)
        .join(ids, ids.c.customer_id == Customer.id)
        .outerjoin(Store, Store.id == Customer.store_id)
        .outerjoin(Staff, Staff.id == Customer.guide_id)
        .order_by(Customer.id)
        .limit(limit)
    )
    return list(result.all())


async def unknown_names(session: AsyncSession, f: Any) -> list[str]:
    """Terms naming a tag, store or guide that does not exist."""
    out: list[str] = []
    checks = [
        ("tag", f.tags, Tag.name),
        ("store", f.stores, Store.code),
        ("guide", f.guides, Staff.wecom_userid),
    ]
    for key, names, col in checks:
        if names:
            found = set(await session.scalars(select(col).where(col.in_(names))))
            out += [f"{key}:{n}" for n in names if n not in found]
    return out


async def saved(session: AsyncSession, name: str) -> Segment | None:
    return await session.scalar(select(Segment).where(Segment.name == name))


async def save(session: AsyncSession, name: str, expr: str) -> Segment:
    seg = await saved(session, name)
    if seg is None:
        seg = Segment(name=name, expr=expr)
        session.add(seg)
    else:
        seg.expr = expr
    await session.flush()
    return seg


async def all_saved(session: AsyncSession) -> list[Segment]:
    return list(await session.scalars(select(Segment).order_by(Segment.name)))
