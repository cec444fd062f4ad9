"""Every parser that reads customer or staff text runs in linear time on hostile input.

Each entity extractor, the normaliser, the dialog's own extractors, the yes/no/cancel words,
the staff command parser and the handlers' text readers are called directly (no length cap
in front of them) on 60 KB (20,000 characters) of the strings of tests/security/adversarial_text.py: runs of one
letter, digit, Chinese numeral or punctuation mark, and near misses of every pattern.

The check is the shape of the cost, not a wall-clock budget: the CPU time for 20,000
characters against 2,000 in the same run (10× the text: ~10× the work when linear, ~100×
when quadratic), with a generous ceiling. Before the fix, ``cjk 一`` took 1.0 s in the date
extractor at 4,000 characters alone (16× its 1,000-character time).
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import time
from collections.abc import Callable
from datetime import datetime
from types import SimpleNamespace
from typing import Any

import pytest

from bot.messages import Inbound
from bot.nlu import Parse, current_pipeline
from bot.nlu.entities import ORDER, Context
from bot.nlu.normalize import canonical, for_intent
from tests.conftest import NOW, SHANGHAI
from tests.security.adversarial_text import texts

# 20,000 characters: 60 KB of Chinese in UTF-8, what fits in the webhook's 64 KB body limit.
SMALL, LARGE = 2_000, 20_000
MAX_RATIO = 30  # 10× the text: linear gives ~10, quadratic ~100
CEILING_S = 1.0  # CPU seconds for the large text, whatever the machine's load
FLOOR_S = 0.02  # below this the large run is too quick for its ratio to mean anything


def _turn(text: str, asked: str | None) -> Any:
    from bot.dialog.forms import Turn

    settings = SimpleNamespace(
        nlu={},
        service={"hours": ["08:00", "20:00"], "booking_horizon_days": 30},
        tz=SHANGHAI,
    )
    services = SimpleNamespace(
        settings=settings,
        clock=SimpleNamespace(now=lambda: NOW, local_now=lambda: NOW.astimezone(SHANGHAI)),
    )
    inbound = Inbound("mp", "acct", "o-1", "text", NOW, text=text)
    parse = Parse(text, "unknown", 0.0)
    return Turn(services, inbound, parse, None, None, {"slots": {}}, asked=asked)  # type: ignore[arg-type]


def _entity(name: str) -> Callable[[str], Any]:
    module = importlib.import_module(f"bot.nlu.entities.{name}")
    lexicon = current_pipeline().lexicon

    def run(text: str) -> Any:
        ctx = Context(text, canonical(text), NOW.astimezone(SHANGHAI), SHANGHAI, lexicon)
        return module.extract(ctx)

    return run


def _targets() -> dict[str, Callable[[str], Any]]:
    from bot.dialog import extractors, words
    from bot.work import commands, when, wording
    from handlers import catalog, money, rating, subscription

    now = datetime(2026, 11, 26, 10, tzinfo=SHANGHAI)
    found: dict[str, Callable[[str], Any]] = {f"entities.{n}": _entity(n) for n in ORDER}
    found.update(
        {
            "normalize.canonical": canonical.__wrapped__,  # not its cache
            "normalize.for_intent": for_intent,
            "dialog.phone": lambda t: extractors.phone(_turn(t, "phone")),
            "dialog.address": lambda t: extractors.address(_turn(t, "address")),
            "dialog.window": lambda t: extractors.window(_turn(t, "window")),
            "dialog.valid_phone": lambda t: extractors.valid_phone(_turn(t, None), t),
            "dialog.valid_address": lambda t: extractors.valid_address(_turn(t, None), t),
            "dialog.pick_number": lambda t: extractors.pick_number(t, 9),
            "words": lambda t: (
                words.norm(t),
                words.is_yes(t),
                words.is_no(t),
                words.is_cancel(t),
                words.is_skip(t),
            ),
            "work.commands": commands.parse,
            "work.when": lambda t: when.parse_when(t, now),
            "work.budget": wording.parse_budget,
            "handlers.money": money.parse_amount_fen,
            "handlers.rating": lambda t: (rating.parse_stars(t), rating.comment_of(t)),
            "handlers.subscription": lambda t: (
                subscription.which_kind(t),
                subscription.wants_back_on(t),
            ),
            "handlers.catalog": catalog.model_key,
        }
    )
    return found


def _cpu(fn: Callable[[str], Any], text: str) -> float:
    t0 = time.process_time()
    fn(text)
    return time.process_time() - t0


def _too_slow(fn: Callable[[str], Any], small_text: str, large_text: str) -> str | None:
    """None when linear; else the figures (measured twice before saying so: the least)."""
    small, large = _cpu(fn, small_text), _cpu(fn, large_text)
    for _ in range(2):
        ratio = large / max(small, 1e-6)
        if large <= CEILING_S and (large <= FLOOR_S or ratio <= MAX_RATIO):
            return None
        small = min(small, _cpu(fn, small_text))
        large = min(large, _cpu(fn, large_text))
    return f"{small * 1000:.1f} ms → {large * 1000:.1f} ms (×{large / max(small, 1e-6):.0f})"


TARGETS = _targets()
SMALL_TEXTS, LARGE_TEXTS = texts(SMALL), texts(LARGE)


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_each_parser_is_linear_on_60kb_of_hostile_text(target: str) -> None:
    fn = TARGETS[target]
    slow = []
    for case in SMALL_TEXTS:
        if figures := _too_slow(fn, SMALL_TEXTS[case], LARGE_TEXTS[case]):
            slow.append(f"{case!r}: {figures}")
    assert not slow, f"{target} is not linear on: " + "; ".join(slow)


def test_a_huge_number_is_no_budget_and_no_crash() -> None:
    from bot.work.wording import parse_budget
    from handlers.money import parse_amount_fen

    digits = "1" * 400  # float("1" * 400) is inf: int(round(inf)) raised OverflowError
    assert parse_amount_fen(digits) is None
    assert parse_amount_fen("预算3000") == 300000
    assert parse_budget(f"预算{digits}")[0] is None
    assert parse_budget("预算5000 想换油烟机")[0] == 500000


def _module_patterns() -> dict[str, re.Pattern[str]]:
    """Every regular expression compiled at module level in bot/ and handlers/."""
    found: dict[str, re.Pattern[str]] = {}
    for package in ("bot", "handlers"):
        root = importlib.import_module(package)
        for info in pkgutil.walk_packages(root.__path__, package + "."):
            module = importlib.import_module(info.name)
            for name, value in vars(module).items():
                values = value.values() if isinstance(value, dict) else value
                if isinstance(value, re.Pattern):
                    found[f"{info.name}.{name}"] = value
                elif isinstance(value, (list, tuple, dict)):
                    for i, item in enumerate(values):
                        if isinstance(item, re.Pattern):
                            found[f"{info.name}.{name}[{i}]"] = item
    return found


def test_every_module_pattern_scans_hostile_text_in_linear_time() -> None:
    """A sweep over the patterns themselves (``finditer`` over the whole text, as a search
    does): catches a new pattern before anyone wires it to a message."""
    small, large = texts(1_000), texts(10_000)
    slow = []
    for name, pattern in _module_patterns().items():
        for case in small:
            times = []
            for text in (small[case], large[case]):
                subject = text.encode() if isinstance(pattern.pattern, bytes) else text
                t0 = time.process_time()
                for _ in pattern.finditer(subject):
                    pass
                times.append(time.process_time() - t0)
            ratio = times[1] / max(times[0], 1e-6)
            if times[1] > CEILING_S or (times[1] > FLOOR_S and ratio > MAX_RATIO):
                slow.append(f"{name} on {case!r}: ×{ratio:.0f}, {times[1] * 1000:.0f} ms")
    assert not slow, "; ".join(slow)
