"""The held-out set: targets, and that it shares no utterance with the training corpus."""

from pathlib import Path

import pytest

from bot.nlu import parse
from bot.nlu.evaluate import evaluate, load_set
from bot.nlu.intents import INTENTS, load_corpus
from bot.nlu.normalize import for_intent

HELDOUT = Path(__file__).with_name("heldout.yaml")


@pytest.fixture(scope="module")
def report():
    now, items = load_set(HELDOUT)
    return evaluate(items, lambda t: parse(t, now=now))


def test_the_set_is_big_enough_and_covers_every_intent():
    _, items = load_set(HELDOUT)
    assert len(items) >= 300
    assert {i["intent"] for i in items} == set(INTENTS)


def test_intent_accuracy_at_least_95_percent(report):
    assert report.accuracy >= 0.95, report.errors


def test_phone_accuracy_at_least_99_percent(report):
    assert report.entity_accuracy("phone") >= 0.99, report.errors


def test_datetime_exact_at_least_90_percent(report):
    assert report.entity_accuracy("datetime") >= 0.90, report.errors


def test_no_heldout_utterance_is_in_the_corpus():
    corpus = {for_intent(t, shorthand=False) for t, _ in load_corpus()}
    _, items = load_set(HELDOUT)
    shared = [i["text"] for i in items if for_intent(str(i["text"]), shorthand=False) in corpus]
    assert shared == []


def test_every_intent_has_at_least_40_training_examples():
    counts = {}
    for _, intent in load_corpus():
        counts[intent] = counts.get(intent, 0) + 1
    assert set(counts) == set(INTENTS)
    assert min(counts.values()) >= 40, counts
