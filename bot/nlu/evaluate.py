"""Scoring a labelled set: per-intent precision / recall / F1, confusion pairs, entity accuracy.

The file format (tests/nlu/heldout.yaml): ``now`` (ISO 8601) and ``utterances``, each with
``text``, ``intent`` and optional entity keys (``phone: "138…"``; ``null`` = must find none).
An entity counts as right when the first entity of that type has exactly that value.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from bot.nlu.types import Parse

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

ENTITY_TYPES = (
    "phone",
    "datetime",
    "address",
    "product_category",
    "brand",
    "model",
    "symptom",
    "quantity",
)


@dataclass
class Report:
    total: int = 0
    correct: int = 0
    per_intent: dict[str, dict[str, float]] = field(default_factory=dict)
    confusions: list[tuple[str, str, int]] = field(default_factory=list)
    entity: dict[str, tuple[int, int]] = field(default_factory=dict)  # type -> (right, total)
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    def entity_accuracy(self, type_: str) -> float:
        right, total = self.entity.get(type_, (0, 0))
        return right / total if total else 1.0

    def consequence_lines(self) -> list[str]:
        """The out-of-scope lines of the set acted on, and the precision of each intent that
        acts (bot/nlu/consequence.py)."""
        from bot.nlu.consequence import is_action, kind_of

        oos = self.per_intent.get("unknown", {}).get("support", 0)
        wrong = sum(n for a, b, n in self.confusions if a == "unknown" and is_action(b))
        out = [f"out-of-scope (unknown) lines classified as an action: {wrong}/{int(oos)}"]
        out.append("precision of the intents that act:")
        for intent, m in sorted(self.per_intent.items()):
            if is_action(intent):
                out.append(f"  {intent:<18}{kind_of(intent):<7}{m['precision']:.3f}")
        return out

    def lines(self) -> list[str]:
        out = [f"intent accuracy: {self.accuracy:.3f} ({self.correct}/{self.total})", ""]
        out.append(f"{'intent':<18}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>9}")
        for intent, m in sorted(self.per_intent.items()):
            out.append(
                f"{intent:<18}{m['precision']:>10.3f}{m['recall']:>10.3f}{m['f1']:>10.3f}{int(m['support']):>9}"
            )
        out.append("")
        out += self.consequence_lines()
        out.append("")
        out.append("confusions (expected -> got: count):")
        out += [f"  {a} -> {b}: {n}" for a, b, n in self.confusions] or ["  none"]
        out.append("")
        out.append("entity accuracy (first entity of the type, exact value):")
        for t in ENTITY_TYPES:
            if t in self.entity:
                right, total = self.entity[t]
                out.append(f"  {t:<18}{right / total:.3f} ({right}/{total})")
        return out


def load_set(path: Path) -> tuple[datetime | None, list[dict[str, Any]]]:
    data = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_Loader)
    if isinstance(data, list):
        return None, data
    now = data.get("now")
    if isinstance(now, str):
        now = datetime.fromisoformat(now)
    return now, list(data["utterances"])


def evaluate(items: list[dict[str, Any]], parse: Callable[[str], Parse]) -> Report:
    rep = Report()
    pairs: Counter[tuple[str, str]] = Counter()
    gold_n: Counter[str] = Counter()
    pred_n: Counter[str] = Counter()
    hit: Counter[str] = Counter()
    ent: dict[str, list[int]] = {}
    for item in items:
        p = parse(str(item["text"]))
        want = item["intent"]
        rep.total += 1
        gold_n[want] += 1
        pred_n[p.intent] += 1
        wrong: dict[str, Any] = {}
        if p.intent == want:
            rep.correct += 1
            hit[want] += 1
        else:
            pairs[(want, p.intent)] += 1
            wrong["intent"] = (want, p.intent, round(p.confidence, 3))
        for t in ENTITY_TYPES:
            if t not in item:
                continue
            expected = item[t]
            got = p.first(t)
            value = got.value if got else None
            ok = value == (str(expected) if expected is not None else None)
            tally = ent.setdefault(t, [0, 0])
            tally[0] += ok
            tally[1] += 1
            if not ok:
                wrong[t] = (expected, value)
        if wrong:
            rep.errors.append({"text": item["text"], **wrong})
    for intent in sorted(set(gold_n) | set(pred_n)):
        prec = hit[intent] / pred_n[intent] if pred_n[intent] else 0.0
        rec = hit[intent] / gold_n[intent] if gold_n[intent] else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        rep.per_intent[intent] = {
            "precision": prec,
            "recall": rec,
            "f1": f1,
            "support": gold_n[intent],
        }
    rep.confusions = [(a, b, n) for (a, b), n in pairs.most_common()]
    rep.entity = {t: (v[0], v[1]) for t, v in ent.items()}
    return rep


@dataclass
class OosReport:
    """An out-of-scope set: every line should be answered, none acted on."""

    total: int = 0
    by_intent: Counter[str] = field(default_factory=Counter)
    examples: list[tuple[str, str, float]] = field(default_factory=list)  # acted on
    at_once: Counter[str] = field(default_factory=Counter)  # acted on without a question

    def count(self, pred: Callable[[str], bool]) -> int:
        return sum(n for intent, n in self.by_intent.items() if pred(intent))

    @property
    def action_rate(self) -> float:
        from bot.nlu.consequence import is_action

        return self.count(is_action) / self.total if self.total else 0.0

    @property
    def grave_rate(self) -> float:
        """Classified as unsubscribe, complaint or human_agent (or subscribe)."""
        from bot.nlu.consequence import is_grave

        return self.count(is_grave) / self.total if self.total else 0.0

    def lines(self) -> list[str]:
        from bot.nlu.consequence import is_action, is_grave

        out = [
            f"out-of-scope lines: {self.total}",
            f"classified as an action: {self.action_rate:.2%} ({self.count(is_action)})",
            f"classified as unsubscribe/complaint/human_agent: {self.grave_rate:.2%}"
            f" ({self.count(is_grave)})",
            "by intent: "
            + ", ".join(f"{i} {n}" for i, n in self.by_intent.most_common() if is_action(i)),
            "after the consequence policy (acted on at once, no question asked):",
            f"  an action: {self._rate(self.at_once.values())}",
            f"  unsubscribe/complaint/human_agent: "
            f"{self._rate(n for i, n in self.at_once.items() if is_grave(i))}",
        ]
        return out

    def _rate(self, counts) -> str:
        n = sum(counts)
        return f"{n / self.total if self.total else 0.0:.2%} ({n})"


def load_lines(path: Path) -> list[str]:
    """A plain out-of-scope set: one message a line (``#`` comments and blanks skipped)."""
    text = Path(path).read_text(encoding="utf-8")
    return [x.strip() for x in text.splitlines() if x.strip() and not x.startswith("#")]


def evaluate_oos(texts: list[str], parse: Callable[[str], Parse]) -> OosReport:
    from bot.nlu.consequence import acts_at_once, is_action

    rep = OosReport()
    for text in texts:
        p = parse(text)
        rep.total += 1
        rep.by_intent[p.intent] += 1
        if is_action(p.intent):
            rep.examples.append((text, p.intent, round(p.confidence, 3)))
        if acts_at_once(p.intent, text, p.confidence):
            rep.at_once[p.intent] += 1
    return rep
