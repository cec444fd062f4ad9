"""Hostile message bodies for the text parsers: long runs of what each pattern looks for.

``CASES`` maps a name to a unit that is repeated to the wanted length by :func:`build`
(a run of one letter, one digit, one CJK numeral, punctuation, full-width digits, and near
misses of every entity pattern: "1-1-1-…", "号号号", "路路路", "年月日", "明天明天…").
Used by tests/security/test_extractors_adversarial.py and scripts/bench_nlu.py --adversarial.
"""

from __future__ import annotations

CASES: dict[str, str] = {
    "letter a": "a",
    "digit 1": "1",
    "digit 0": "0",
    "fullwidth 1": "１",
    "cjk 一": "一",
    "cjk 十": "十",
    "cjk 百": "百",
    "cjk 两": "两",
    "space": " ",
    "space after 1": "1" + " " * 40,
    "fullstop": "。",
    "bang": "!",
    "dash": "-",
    "1-": "1-",
    "a1-": "a1-",
    "1:": "1:",
    "号": "号",
    "路": "路",
    "市": "市",
    "一号": "一号",
    "1号": "1号",
    "年月日": "年月日",
    "1年1月": "1年1月",
    "明天": "明天",
    "周一": "周一",
    "一点": "一点",
    "下个月": "下个月",
    "北京": "北京",
    "中山路": "中山路",
    "路1": "路1",
    "小区1栋": "小区1栋",
    "张": "张",
    "张 1": "张 1",
    "13": "13",
    "138": "1380013800",
    "一三": "一三",
    "86 ": "86 ",
    "(0": "(0",
    "老板": "老板",
    "空调老板": "空调老板",
    "显示": "显示 ",
    "报": "报",
    "E1": "E1 ",
    "a.": "a.",
    "地址是": "地址是",
    "没有": "没有",
    "mixed": "上海市1号一二三路明天3点老板E1 a-1,",
    "cjk text": "空调不制冷了明天上午来修一下",
}
# A head, then one unit to the end: a single start the pattern may scan from to the end.
HEADED: dict[str, tuple[str, str]] = {
    "报 + spaces": ("报", " "),
    "一 + spaces": ("一", " "),
    "1 + spaces": ("1", " "),
    "SN + spaces": ("SN", " "),
    "12年 + spaces": ("12年", " "),
    "老板 + 的": ("老板", "的"),
    "市 + a": ("市", "a"),
    "地址是 + 一": ("地址是", "一"),
    "北京市 + 1": ("北京市", "1"),
    "路 + 1-": ("中山路", "1-"),
}


def texts(length: int) -> dict[str, str]:
    """Every case at ``length`` characters."""
    out = {name: build(unit, length) for name, unit in CASES.items()}
    for name, (head, unit) in HEADED.items():
        out[name] = head + build(unit, length - len(head))
    return out


def build(unit: str, length: int) -> str:
    """``unit`` repeated to exactly ``length`` characters."""
    return (unit * (length // len(unit) + 1))[:length]
