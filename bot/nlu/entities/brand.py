"""``brand``: canonical brand names from the configured dictionary (海尔, 格力, gree → 格力).

老板 is also a word ("让你们老板来"), so bare 老板 is a brand only right before a product word
(老板烟机, 老板的油烟机) or 电器, right after one (油烟机是老板的), or as a whole answer (老板 / 老板的)."""

from __future__ import annotations

import re
from bisect import bisect_right

from bot.nlu.entities import Context
from bot.nlu.types import Entity

_BOSS = re.compile(r"老板(?=的?(?:电器|牌|家的))")
_ALONE = re.compile(r"^\s*(?:(?:是|用的|就是)\s*)?老板(?:的|家的|牌|牌的)?\s*(?:[。.!！]\s*)?$")
_AFTER_PRODUCT = re.compile(
    r"(?:是|用的|买的|装的)\s*老板(?:的|家的|牌)?(?![\u4e00-\u9fa5]{0,1}(?:来|在|说|呢|吗|让|给|你|我))"
)

_AFTER_REACH = 8  # 老板 + 的/家的/牌 + the one or two characters _AFTER_PRODUCT looks at
_SKIP = re.compile(r"[的 ]*")


def _inside(named: tuple[list[Entity], list[int]], pos: int) -> bool:
    """``pos`` lies within one of the brand names found (a bisect, not a scan of them all)."""
    found, starts = named
    i = bisect_right(starts, pos) - 1
    return i >= 0 and pos < found[i].end


def extract(ctx: Context) -> list[Entity]:
    out = []
    for m in ctx.lexicon.brand_matcher.finditer(ctx.text):
        if m.group(0) == "老板":
            continue  # decided below, by what follows it
        canon = ctx.lexicon.canonical_brand(m.group(0))
        if canon and not ctx.overlaps(m.start(), m.end()):
            out.append(ctx.entity("brand", canon, m.start(), m.end()))
    named = (out[:], [e.start for e in out])  # in text order, no two overlapping
    if "老板" in ctx.lexicon.brands:
        cat = ctx.lexicon.category_matcher
        first = ctx.text.find("老板")
        for m in re.finditer("老板", ctx.text):
            after = _SKIP.match(ctx.text, m.end()).end()  # past any 的 and spaces
            before = ctx.text[max(0, m.start() - 12) : m.start()]
            # "…是老板的" right here (a window: a search to the end for every 老板 of a
            # "老板老板…" message would read the text once per 老板)
            if (
                _BOSS.match(ctx.text, m.start())
                or cat.match(ctx.text, after)
                or (
                    _AFTER_PRODUCT.search(ctx.text, max(0, m.start() - 3), m.end() + _AFTER_REACH)
                    and cat.search(before)
                )
                or (m.start() == first and _ALONE.match(ctx.text))
            ):
                if not _inside(named, m.start()):
                    out.append(ctx.entity("brand", "老板", m.start(), m.end()))
    out.sort(key=lambda e: e.start)
    return out
