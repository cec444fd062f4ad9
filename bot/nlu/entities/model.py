"""``model``: product model numbers such as KFR-35GW/NhAa1, MG100V58WT, CXW-260-27A7.

Letters and digits together, at least four characters, not a phone, not a fault code (E4),
and not a serial or order number (SN…, or right after 序列号 / 单号 / 编号)."""

from __future__ import annotations

import re

from bot.nlu.entities import Context
from bot.nlu.types import Entity

_MODEL = re.compile(r"(?<![A-Za-z0-9\-/])[A-Za-z0-9]+(?:[\-/.][A-Za-z0-9]+)*(?![A-Za-z0-9])")
_CHAT = re.compile(r"^(?:3q|3x)+$", re.I)  # "3q3q" is thanks, not a model
_FAULT = re.compile(r"^[EFHPefhp]\d{1,3}$")
_SERIAL_LABEL = re.compile(
    r"(序列号|编号|编码|单号|订单|机身号|条码|串号|SN|工单)[\s:：是为号]*$", re.I
)


def extract(ctx: Context) -> list[Entity]:
    out = []
    for m in _MODEL.finditer(ctx.text):
        tok = m.group(0)
        if len(tok) < 4 or len(tok) > 32:
            continue
        if not (re.search(r"[A-Za-z]", tok) and re.search(r"\d", tok)):
            continue
        if _FAULT.match(tok) or _CHAT.match(tok) or tok.upper().startswith("SN"):
            continue
        if _SERIAL_LABEL.search(ctx.text[max(0, m.start() - 6) : m.start()]):
            continue
        if ctx.overlaps(m.start(), m.end()):
            continue
        out.append(ctx.entity("model", tok.upper() if tok.islower() else tok, m.start(), m.end()))
    return out
