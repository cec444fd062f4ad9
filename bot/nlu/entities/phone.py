"""``phone``: Chinese mobile and landline numbers.

value = digits only: a mobile as its 11 digits ("13812345678", any +86 / 86 prefix dropped),
a landline as area code + number ("02162345678", "075526668888"); ``extra["kind"]`` says which.
Digits glued to letters or to longer digit runs (serials, order numbers, models) never count,
nor do numbers right after a serial-number label (序列号, SN, 单号, 机身号…).
"""

from __future__ import annotations

import re

from bot.nlu.entities import Context
from bot.nlu.types import Entity

_SEP = r"[ \-]?"
_MOBILE = re.compile(
    rf"(?<![0-9A-Za-z+])(?:\+?86{_SEP}|\(\+?86\){_SEP})?(1[3-9](?:{_SEP}\d){{9}})(?![0-9A-Za-z])"
)
# Area codes: 010, 02X (three digits) or 0[3-9]XX (four); local number 7–8 digits from 2-9.
_LANDLINE = re.compile(
    r"(?<![0-9A-Za-z])(?:\+?86[ \-]?)?\(?(0(?:10|2\d|[3-9]\d{2}))\)?[ \-]?([2-9](?:[ \-]?\d){6,7})(?![0-9A-Za-z])"
)
_SERIAL_LABEL = re.compile(
    r"(序列号|sn|s/n|编号|编码|条码|条形码|单号|订单|机身号|型号|串号|imei)[\s:：是为]*$",
    re.IGNORECASE,
)


# Spoken numbers as voice input writes them: 一三九零零零零一一一一 (幺 = 1, 〇 = 0).
_SPOKEN_DIGITS = str.maketrans("零〇幺一二三四五六七八九", "001123456789")
_SPOKEN_MOBILE = re.compile(
    r"(?<![零〇幺一二两三四五六七八九十百千万])([一幺][三四五六七八九](?:[ \-]?[零〇幺一二三四五六七八九]){9})"
    r"(?![零〇幺一二两三四五六七八九十百千万])"
)


def _digits(s: str) -> str:
    return re.sub(r"\D", "", s)


def _after_serial_label(text: str, start: int) -> bool:
    return bool(_SERIAL_LABEL.search(text[max(0, start - 8) : start]))


def extract(ctx: Context) -> list[Entity]:
    text = ctx.text
    out: list[Entity] = []
    spans: list[tuple[int, int]] = []
    for m in _MOBILE.finditer(text):
        if _after_serial_label(text, m.start()):
            continue
        out.append(ctx.entity("phone", _digits(m.group(1)), m.start(), m.end(), {"kind": "mobile"}))
        spans.append((m.start(), m.end()))
    for m in _SPOKEN_MOBILE.finditer(text):
        if _after_serial_label(text, m.start()):
            continue
        value = _digits(m.group(1).translate(_SPOKEN_DIGITS))
        out.append(ctx.entity("phone", value, m.start(), m.end(), {"kind": "mobile"}))
        spans.append((m.start(), m.end()))
    for m in _LANDLINE.finditer(text):
        if any(m.start() < e and s < m.end() for s, e in spans):
            continue
        if _after_serial_label(text, m.start()):
            continue
        value = m.group(1) + _digits(m.group(2))
        out.append(ctx.entity("phone", value, m.start(), m.end(), {"kind": "landline"}))
    out.sort(key=lambda e: e.start)
    return out
