"""Money: integer fen in, one way of showing it out ("¥1,234.50"), and budgets read from text."""

from __future__ import annotations

import re

from bot.nlu.numerals import DIGITS

_CN_DIGITS = DIGITS
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)\s*(万|w|W|千|k|K|块|元)?")
_CN_AMOUNT = re.compile(r"[零一二两三四五六七八九十百千万]+")


def yuan(fen: int) -> str:
    """Show fen as yuan, always the same way: 123450 → "¥1,234.50"; -500 → "-¥5.00"."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return f"{sign}¥{whole:,}.{cents:02d}"


def _cn_number(text: str) -> int | None:
    """ "三千" → 3000, "两千五" → 2500 (a trailing digit is one unit below the last)."""
    total, section, digit, last_unit = 0, 0, 0, 1
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch == "万":
            total += (section + digit) * 10000
            section, digit, last_unit = 0, 0, 10000
        else:
            last_unit = _CN_UNITS[ch]
            section += (digit or 1) * last_unit
            digit = 0
    if digit and last_unit >= 100 and not text.endswith("零" + text[-1:]):
        digit *= last_unit // 10
    value = total + section + digit
    return value or None


def parse_amount_fen(text: str) -> int | None:
    """A budget in yuan from free text → fen. "3000" "3千" "5k" "三千元" "1.5万" → fen, else None."""
    m = _AMOUNT.search(text.replace(",", "").replace("，", ""))
    if m:
        value = float(m.group(1))
        unit = (m.group(2) or "").lower()
        value *= {"万": 10000, "w": 10000, "千": 1000, "k": 1000}.get(unit, 1)
        return int(round(value * 100)) if 0 < value < 1e10 else None  # 400 digits: none
    m = _CN_AMOUNT.search(text)
    if m:
        value = _cn_number(m.group(0))
        return value * 100 if value else None
    return None
