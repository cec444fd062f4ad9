"""``product_category``: the canonical category (空调, 净水器…) of any synonym in the
configured dictionary (冷气, 挂机, AC → 空调)."""

from __future__ import annotations

from bot.nlu.entities import Context
from bot.nlu.types import Entity


def extract(ctx: Context) -> list[Entity]:
    out = []
    for m in ctx.lexicon.category_matcher.finditer(ctx.text):
        canon = ctx.lexicon.canonical_category(m.group(0))
        if canon and not ctx.overlaps(m.start(), m.end()):
            out.append(ctx.entity("product_category", canon, m.start(), m.end()))
    return out
