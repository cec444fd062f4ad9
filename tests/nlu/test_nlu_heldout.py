"""The held-out sets (heldout.yaml, and heldout2.yaml by a second writer): the targets, and no
utterance shared with the training corpus or with the other set."""

from pathlib import Path

import pytest

from bot.nlu import parse
from bot.nlu.evaluate import evaluate, load_set
from bot.nlu.intents import INTENTS, load_corpus
from bot.nlu.normalize import for_intent

HERE = Path(__file__).parent
SETS = [HERE / "heldout.yaml", HERE / "heldout2.yaml"]


@pytest.fixture(scope="module", params=SETS, ids=lambda p: p.stem)
def heldout(request) -> Path:
    return request.param


@pytest.fixture(scope="module")
def report(heldout):
    now, items = load_set(heldout)
    rep = evaluate(items, lambda t: parse(t, now=now))
    print("\n".join(rep.lines()))
    return rep


def test_the_set_is_big_enough_and_covers_every_intent(heldout):
    _, items = load_set(heldout)
    assert len(items) >= 300
    assert {i["intent"] for i in items} == set(INTENTS)


def test_intent_accuracy_at_least_95_percent(report):
    assert report.accuracy >= 0.95, report.errors


def test_phone_accuracy_at_least_99_percent(report):
    assert report.entity_accuracy("phone") >= 0.99, report.errors


def test_datetime_exact_at_least_90_percent(report):
    assert report.entity_accuracy("datetime") >= 0.90, report.errors


def test_no_utterance_is_in_the_corpus_or_in_the_other_set(heldout):
    seen = {for_intent(t, shorthand=False) for t, _ in load_corpus()}
    for other in SETS:
        if other != heldout:
            seen |= {for_intent(str(i["text"]), shorthand=False) for i in load_set(other)[1]}
    _, items = load_set(heldout)
    shared = [i["text"] for i in items if for_intent(str(i["text"]), shorthand=False) in seen]
    assert shared == []


def test_every_intent_has_at_least_40_training_examples():
    counts = {}
    for _, intent in load_corpus():
        counts[intent] = counts.get(intent, 0) + 1
    assert set(counts) == set(INTENTS)
    assert min(counts.values()) >= 40, counts
