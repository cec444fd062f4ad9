"""Chinese numerals: 两 → 2, 十五 → 15, 二十三 → 23 (enough for dates, hours and counts)."""

from __future__ import annotations

DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "俩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
UNITS = {"十": 10, "百": 100, "千": 1000}
CN_NUM = "[零〇一二两俩三四五六七八九十百千]"
# A number as dates, hours and counts use it: at most 8 digits (a run of digits is read from
# its first one) or 8 Chinese numerals. Bounded, so a pattern tried at every position of a
# long run ("一一一…", "111…") reads a few characters there, not the whole run: linear time.
# Longer runs are no date, hour or count (they parsed to numbers every caller rejected).
NUM = rf"(?:(?<!\d)\d{{1,8}}|{CN_NUM}{{1,8}})"


def to_int(s: str) -> int | None:
    """``"12"`` → 12, ``"十二"`` → 12, ``"两"`` → 2; None when it is not a number."""
    s = s.strip()
    if not s:
        return None
    if s.isdigit():
        return int(s)
    if "万" in s:  # 一万二 → 12000, 三万五千 → 35000
        high, _, low = s.partition("万")
        n_high = to_int(high) if high else 1
        if n_high is None:
            return None
        if not low:
            return n_high * 10000
        if len(low) == 1 and low in DIGITS:
            return n_high * 10000 + DIGITS[low] * 1000
        n_low = to_int(low)
        return None if n_low is None else n_high * 10000 + n_low
    total, current, last_unit = 0, 0, 0
    for ch in s:
        if ch in DIGITS:
            current = DIGITS[ch]
        elif ch in UNITS:
            total += (current or 1) * UNITS[ch]
            current, last_unit = 0, UNITS[ch]
        else:
            return None
    if current and last_unit >= 100 and s[-2] in UNITS:
        current *= last_unit // 10  # 两千五 → 2500, 一百五 → 150 (the unit below is implied)
    return total + current
