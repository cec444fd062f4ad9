"""How staff really type: full-width digits, traditional characters, emoji, filler words,
Chinese numerals and budgets (五千, 8千左右, 1.2万, 一万二). Helpers for bot.work.commands."""

from __future__ import annotations

import re

from bot.nlu.normalize import canonical
from bot.nlu.numerals import to_int

MENTION = re.compile(r"^\s*[@＠]\S+\s+")  # a leading @mention
EDGE_PUNCT = " .,!?~;:'\"`·…。，！？～；：、"
CN_DIGITS = "零〇一二两俩三四五六七八九十"
SMALL_NUM = rf"(\d{{1,3}}|[{CN_DIGITS}]{{1,3}})"


def strip_mention(text: str) -> str:
    return MENTION.sub("", text, count=1)


def canon(text: str) -> str:
    """Same length as ``text``: half-width, simplified, emoji and symbols as spaces."""
    return canonical(text)


def squash(text: str) -> str:
    """Canonical text, spaces collapsed, stray punctuation trimmed at both ends."""
    t = re.sub(r"\s+", " ", canonical(text)).strip(EDGE_PUNCT)
    return t.strip()


def small_int(s: str) -> int | None:
    """``3`` / ``三`` / ``十二`` → int (None when not a number)."""
    return to_int(s)


_NUM = r"\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千万]+"
_UNIT = r"万|千|k|K|w|W|元|块钱|块"
_AMOUNT = re.compile(
    rf"(?:(?P<kw>预算|大概|大约|约)\s*)?(?P<num>{_NUM})\s*(?P<unit>{_UNIT})?"
    rf"(?:\s*(?:到|至|-|~)\s*(?P<num2>{_NUM})\s*(?P<unit2>{_UNIT})?)?"
    r"\s*(?P<tail>左右|上下|以内|以下|之内)?"
)


def _cn_amount(s: str) -> float | None:
    """五千 → 5000, 一万二 → 12000, 两万 → 20000, 三千五 → 3500."""
    if "万" in s:
        head, _, tail = s.partition("万")
        a = to_int(head) if head else 1
        if a is None:
            return None
        if not tail:
            return a * 10000.0
        b = to_int(tail)
        if b is None:
            return None
        return a * 10000.0 + (b * 1000 if len(tail) == 1 and b < 10 else b)
    if re.fullmatch(r"[一二两三四五六七八九]千[一二三四五六七八九]", s):
        return to_int(s[0]) * 1000.0 + to_int(s[2]) * 100.0
    value = to_int(s)
    return None if value is None else float(value)


MAX_YUAN = 1e10


def parse_budget(text: str) -> tuple[int | None, str]:
    """A budget in the text → (fen, the text without it); (None, text) when there is none.

    A number counts as a budget after 预算/大概, or with a money unit (万, 千, 元, 块) or
    左右 after it: ``预算5000``, ``预算五千``, ``8千左右``, ``1.2万``, ``3000元``; of a range
    (``预算3000到5000``) the upper end."""
    for m in _AMOUNT.finditer(text):
        num, unit = m.group("num"), m.group("unit") or ""
        if m.group("num2"):  # a range, 3000到5000 / 5千-8千: the upper end
            num, unit = m.group("num2"), m.group("unit2") or unit
        if not (m.group("kw") == "预算" or unit or m.group("tail")):
            continue
        if num.replace(".", "").isdigit():
            amount = float(num)
        else:
            parsed = _cn_amount(num)
            if parsed is None:
                continue
            amount = parsed
        if unit in ("万", "w", "W"):
            amount *= 10000
        elif unit in ("千", "k", "K"):
            amount *= 1000
        if not 0 < amount < MAX_YUAN:  # a run of 400 digits is no budget (nor a float)
            continue
        rest = (text[: m.start()] + " " + text[m.end() :]).strip(EDGE_PUNCT)
        return int(round(amount * 100)), re.sub(r"\s+", " ", rest).strip(EDGE_PUNCT)
    return None, text
