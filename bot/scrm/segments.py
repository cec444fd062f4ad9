"""Segment expressions: ``tag:空调8年以上 store:S001 age>=8`` — terms joined by spaces mean
AND. Terms: ``tag:NAME``, ``store:CODE``, ``guide:USERID``, ``category:空调``,
``district:徐汇区`` (in the address), ``age>=8`` (a live unit's age in whole years; with a
category, the same unit), ``contact<=30`` (days since the customer last wrote), and
``segment:NAME`` (a saved segment's expression). Comparisons: >= <= > < =."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

OPS = (">=", "<=", ">", "<", "=")
KEYS = ("tag", "store", "guide", "category", "district", "segment")
NUMERIC = ("age", "contact")
COMPARE = re.compile(r"^(age|contact)(>=|<=|>|<|=)(\d{1,4})$")
TERM = re.compile(r"^([a-z]+):(.+)$")


class SegmentError(ValueError):
    """An expression that cannot be read; the message says which term and why."""


@dataclass
class Filter:
    tags: list[str] = field(default_factory=list)
    stores: list[str] = field(default_factory=list)
    guides: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    districts: list[str] = field(default_factory=list)
    ages: list[tuple[str, int]] = field(default_factory=list)
    contacts: list[tuple[str, int]] = field(default_factory=list)
    segments: list[str] = field(default_factory=list)

    def merge(self, other: Filter) -> None:
        for name in self.__dataclass_fields__:
            getattr(self, name).extend(getattr(other, name))


HELP = (
    "terms: tag:NAME store:S001 guide:G001 category:空调 district:徐汇区 age>=8 "
    "contact<=30 segment:NAME (spaces mean AND; comparisons >= <= > < =)"
)


def parse(expr: str) -> Filter:
    """Read an expression; raises :class:`SegmentError` with the offending term."""
    words = expr.replace("：", ":").split()
    if not words:
        raise SegmentError(f"empty segment expression; {HELP}")
    f = Filter()
    for w in words:
        if m := COMPARE.match(w):
            key, op, n = m.group(1), m.group(2), int(m.group(3))
            (f.ages if key == "age" else f.contacts).append((op, n))
            continue
        if w.startswith(NUMERIC):
            raise SegmentError(f"bad comparison {w!r}: write e.g. age>=8 or contact<=30")
        m = TERM.match(w)
        if not m or m.group(1) not in KEYS:
            raise SegmentError(f"unknown term {w!r}; {HELP}")
        key, value = m.group(1), m.group(2)
        {
            "tag": f.tags,
            "store": f.stores,
            "guide": f.guides,
            "category": f.categories,
            "district": f.districts,
            "segment": f.segments,
        }[key].append(value)
    return f


# -- resolving against the database -----------------------------------------------------

MAX_DEPTH = 5


async def resolve(session, expr: str, depth: int = 0) -> Filter:
    """Parse ``expr``, expand ``segment:NAME`` terms, and check every named tag, store and
    guide exists (a typo must not silently select nobody)."""
    from storage.repos import segments as repo

    f = parse(expr)
    names, f.segments = f.segments, []
    for name in names:
        if depth >= MAX_DEPTH:
            raise SegmentError(f"segment:{name}: segments nest too deep")
        seg = await repo.saved(session, name)
        if seg is None:
            raise SegmentError(f"no saved segment named {name!r}")
        f.merge(await resolve(session, seg.expr, depth + 1))
    missing = await repo.unknown_names(session, f)
    if missing:
        raise SegmentError("unknown " + ", ".join(missing))
    return f


async def members(services, session, expr: str):
    """The SELECT of customer ids for ``expr`` (today and now from the service clock)."""
    from storage.repos import segments as repo

    f = await resolve(session, expr)
    return repo.members(f, services.clock.local_now().date(), services.clock.now())


async def count(services, expr: str) -> int:
    from storage.repos import segments as repo

    async with services.db.session() as s:
        return await repo.count(s, await members(services, s, expr))


async def show(services, expr: str, limit: int = 50) -> tuple[int, list]:
    from storage.repos import segments as repo

    async with services.db.session() as s:
        q = await members(services, s, expr)
        return await repo.count(s, q), await repo.rows(s, q, limit)
