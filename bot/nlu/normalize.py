"""Text normalisation, in two strengths.

* :func:`canonical` keeps every character position (so entity spans point into what the user
  wrote): full-width → half-width, traditional → simplified, emoji and symbols → spaces.
* :func:`for_intent` goes further for the classifier: lower-case, stray punctuation dropped,
  runs of one character squeezed (好好好好 → 好好, ！！！ → nothing), spaces collapsed.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20  # ideographic space
_PUNCT_MAP = str.maketrans(
    {
        "。": ".",
        "、": ",",
        "【": "[",
        "】": "]",
        "「": '"',
        "」": '"',
        "冇": "没",
        "⭐": "星",
        "★": "星",
        "☆": "星",
    }
)  # 冇 (Cantonese "not have") reads as 没: "冇热水" is "没热水"; a star rating ⭐⭐⭐ as 星星星


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _traditional_starts() -> frozenset[str]:
    """First characters of every t2s dictionary key: text without any of them is unchanged by
    the converter, so it can skip it (most messages are already simplified)."""
    import opencc

    folder = Path(opencc.__file__).with_name("dictionary")
    starts: set[str] = set()
    for name in ("TSCharacters.txt", "TSPhrases.txt"):
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            if line:
                starts.add(line[0])
    return frozenset(starts)


def _is_noise(ch: str) -> bool:
    if ch in " \t":
        return False
    cat = unicodedata.category(ch)
    # So = other symbols (emoji, ★, ☺), Cc/Cf = control and format chars (ZWJ, variation selectors)
    return cat in ("So", "Sk", "Cc", "Cf", "Cs", "Co") or 0x1F000 <= ord(ch) <= 0x1FAFF


@lru_cache(maxsize=4096)  # a turn asks for the same message's form many times
def canonical(text: str) -> str:
    """Same length as ``text``: half-width, simplified, emoji and controls as spaces."""
    s = text.translate(_FULLWIDTH).translate(_PUNCT_MAP)
    if not s.isascii():
        s = "".join(" " if _is_noise(c) else c for c in s)
    if _traditional_starts().isdisjoint(s):
        return s
    converted = _t2s().convert(s)
    return converted if len(converted) == len(s) else s


_STRAY = re.compile(r"[~～!！?？.。,，、;；:：\"'“”‘’()（）\[\]【】<>《》…—_=*#@^|\\/`]+")
_REPEAT = re.compile(r"(.)\1{2,}")
_SPACES = re.compile(r"\s+")
# Pinyin initials and chat shorthand, as whole Latin tokens: kf → 客服 (for the classifier only).
_SHORTHAND = {
    "kf": "客服",
    "rg": "人工",
    "sf": "师傅",
    "nh": "你好",
    "nihao": "你好",
    "xx": "谢谢",
    "xiexie": "谢谢",
    "3q": "谢谢",
    "tks": "谢谢",
    "xs": "笑死",
    "xswl": "笑死我了",
    "hh": "哈哈",
}
_SHORTHAND_RE = re.compile(
    r"(?<![a-z0-9])(" + "|".join(sorted(_SHORTHAND, key=len, reverse=True)) + r")+(?![a-z0-9])"
)


def _expand(m: re.Match[str]) -> str:
    token = m.group(0)
    out = []
    while token:
        for key in sorted(_SHORTHAND, key=len, reverse=True):
            if token.startswith(key):
                out.append(_SHORTHAND[key])
                token = token[len(key) :]
                break
    return " " + " ".join(out) + " "


def for_intent(text: str, shorthand: bool = True) -> str:
    """Classifier view of a message (not position-preserving)."""
    return squeeze(canonical(text), shorthand)


def squeeze(canon: str, shorthand: bool = True) -> str:
    """``for_intent`` of a text already through :func:`canonical` (``shorthand``: expand
    pinyin initials such as kf → 客服)."""
    s = canon.lower()
    s = _STRAY.sub(" ", s)
    s = _REPEAT.sub(r"\1\1", s)
    if shorthand and any(c.isascii() and c.isalpha() for c in s):
        s = _SHORTHAND_RE.sub(_expand, s)
    return _SPACES.sub(" ", s).strip()
