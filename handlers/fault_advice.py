"""A question about a fault (「冰箱冷藏不冷了 是不是要加氟」, 「洗衣机脱水时跳 自己能弄吗」) gets a
short, safe answer from a small knowledge base (``fault_advice.yaml``: what to check first,
when an engineer must come) and the offer to book. Nothing is booked until the customer asks:
a question is not a booking, and 「先别约」 is a no.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot.dialog.forms import Turn

KB_FILE = Path(__file__).with_name("fault_advice.yaml")
# Asking, not booking. Every repetition is bounded: customer text is hostile until proven not.
_QUESTION = re.compile(
    r"是不是|是否|要不要|需不需要|需要.{0,6}吗|怎么回事|咋回事|怎么办|咋办|为什么|为啥|"
    r"什么原因|啥原因|正常吗|正不正常|自己能|自己可以|能自己|可以自己|"
    r"自己.{0,4}(?:弄|修|处理|搞|解决)|有没有办法|怎么处理|怎么解决|怎么弄|要紧吗|严重吗"
)
_NOT_YET = re.compile(r"先别约|先不约|别约|不用约|不约|先不用约|先不预约|就问问|只是问问")
_BOOKING = re.compile(r"预约|约个|约一下|约师傅|上门修|来修|派人|派个|安排师傅|报修|过来看")
OFFER = "需要的话我帮您约师傅上门看看，回复“约师傅”就行～"


@dataclass(frozen=True)
class Fault:
    category: str
    words: tuple[str, ...]
    check: str
    engineer: str


@lru_cache(maxsize=4)
def knowledge(path: Path = KB_FILE) -> tuple[Fault, ...]:
    """The knowledge base, read once."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return tuple(
        Fault(category, tuple(e["words"]), e["check"].strip(), e["engineer"].strip())
        for category, entries in data.items()
        for e in entries
    )


def find(text: str, categories: list[str]) -> Fault | None:
    """The fault the text names, in one of ``categories`` when given; None when it names none
    or, with no category, could be several appliances' (「不冷」: a fridge or an AC?)."""
    hits = [f for f in knowledge() if any(w in text for w in f.words)]
    if categories:
        hits = [f for f in hits if f.category in categories]
    else:
        named = [f for f in hits if f.category in text]
        hits = named or hits
    if not hits:
        return None
    if len({f.category for f in hits}) > 1:
        return None
    # the entry whose words match most specifically (the longest word found)
    return max(hits, key=lambda f: max(len(w) for w in f.words if w in text))


def _categories(turn: Turn) -> list[str]:
    return [str(e.value) for e in turn.entities("product_category")]


LAST = "fault_advice"  # state key: the fault last advised on, for 「自己能弄吗」 after it
_FOLLOW_UP = re.compile(
    r"自己能|自己可以|能自己|可以自己|自己.{0,4}(?:弄|修|处理|搞|解决)|要紧吗|严重吗"
)


def _fault(turn: Turn) -> Fault | None:
    """The fault named in the message, or (for a follow-up such as 「自己能弄吗」 with none
    named) the one advised on just before."""
    found = find(turn.text, _categories(turn))
    if found is not None:
        return found
    last = turn.state.get(LAST)
    if last and _FOLLOW_UP.search(turn.text):
        entries = knowledge()
        index = int(last)
        return entries[index] if 0 <= index < len(entries) else None
    return None


def asks(turn: Turn) -> bool:
    """A question about a fault the knowledge base knows, with no booking details in it."""
    text = turn.text
    if not _QUESTION.search(text):
        return False
    if any(turn.entities(t) for t in ("phone", "address", "datetime")):
        return False
    if _BOOKING.search(text) and not _NOT_YET.search(text):
        return False
    return _fault(turn) is not None


def answer(turn: Turn) -> str | None:
    """The advice for the fault asked about, then the offer to book; None when not asked."""
    if not asks(turn):
        return None
    fault = _fault(turn)
    if fault is None:
        return None
    turn.state[LAST] = knowledge().index(fault)
    head = "好的，先不约。" if _NOT_YET.search(turn.text) else ""
    return f"{head}{fault.check}\n{fault.engineer}\n{OFFER}"
