"""``symptom``: a canonical fault (不制冷, 漏水, 不出水, 噪音大…) from configured patterns, and
fault codes shown on a display (显示E1, 报E21, 故障码F3 → "显示E1")."""

from __future__ import annotations

import re

from bot.nlu.entities import Context
from bot.nlu.types import Entity

_CODE = re.compile(
    r"(?:显示|报|出现|提示|故障码|代码|闪|跳)\s*(?:(?:故障码|代码)\s*)?([EFHPefhp]\d{1,3})(?![0-9A-Za-z])"
)
_BARE_CODE = re.compile(r"(?<![0-9A-Za-z\-/])([EF]\d{1,2})(?![0-9A-Za-z\-/])")


def extract(ctx: Context) -> list[Entity]:
    out: list[Entity] = []
    for m in _CODE.finditer(ctx.text):
        out.append(ctx.entity("symptom", "显示" + m.group(1).upper(), m.start(), m.end()))
    if not out:
        for m in _BARE_CODE.finditer(ctx.text):
            if not ctx.overlaps(m.start(), m.end()):
                out.append(ctx.entity("symptom", "显示" + m.group(1).upper(), m.start(), m.end()))
    covered = bytearray(len(ctx.text) + 1)  # characters already in a symptom
    for e in out:
        covered[e.start : e.end] = b"\x01" * (e.end - e.start)
    for canon, pattern in ctx.lexicon.symptom_patterns:
        for m in pattern.finditer(ctx.text):
            if any(covered[m.start() : m.end()]):
                continue
            covered[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
            out.append(ctx.entity("symptom", canon, m.start(), m.end()))
    out.sort(key=lambda e: e.start)
    return out
