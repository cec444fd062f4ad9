"""The rental held-out lines (issue 20): classified right, and none of them in the corpus."""

from pathlib import Path

from bot.nlu import parse
from bot.nlu.evaluate import evaluate, load_set
from bot.nlu.intents import load_corpus
from bot.nlu.normalize import for_intent

SET = Path(__file__).parent / "heldout_rental.yaml"


def test_rental_lines_are_classified_right():
    now, items = load_set(SET)
    rep = evaluate(items, lambda t: parse(t, now=now))
    assert rep.accuracy >= 0.9, rep.errors
    assert rep.per_intent["rental"]["recall"] >= 0.9, rep.errors


def test_no_rental_line_is_in_the_corpus():
    seen = {for_intent(t, shorthand=False) for t, _ in load_corpus()}
    _, items = load_set(SET)
    assert [i["text"] for i in items if for_intent(str(i["text"]), shorthand=False) in seen] == []
