"""``quantity``: a count with a measure word (两个, 2支, 一箱, 三台) → value "2", "2", "1", "3"."""

from __future__ import annotations

import re

from bot.nlu.entities import Context
from bot.nlu.numerals import NUM, to_int
from bot.nlu.types import Entity

_UNITS = "个|台|支|只|根|箱|盒|罐|套|件|桶|袋|组|瓶|包|部|条|张|片|芯|卷|提|听|把|款"
_QTY = re.compile(
    rf"(?<![第0-9A-Za-z.])(?P<n>{NUM})\s*(?:{_UNITS})(?!小时|钟头|月|多月|星期|礼拜|人|电话|工作日|半月)"
)


def extract(ctx: Context) -> list[Entity]:
    out = []
    for m in _QTY.finditer(ctx.text):
        if ctx.overlaps(m.start(), m.end()):
            continue
        n = to_int(m.group("n"))
        if n is None or n <= 0 or n > 999:
            continue
        out.append(ctx.entity("quantity", str(n), m.start(), m.end()))
    return out
