"""Issue 14: out of scope is a first-class answer, and consequential intents need evidence.
The out-of-scope sets in data/oos/ are evaluation only (never in the corpus)."""

from pathlib import Path

import pytest

from bot.nlu import parse
from bot.nlu.consequence import denied, evidence, is_action, is_grave, kind_of
from bot.nlu.evaluate import evaluate_oos, load_lines
from bot.nlu.intents import load_corpus
from bot.nlu.normalize import for_intent

OOS = Path(__file__).parents[2] / "data" / "oos"


@pytest.mark.parametrize(
    "text",
    ["给孟南发短信", "打开江苏卫视", "恋爱这东西很玄虚", "背一首声声慢", "再来一个脑筋急转弯"],
)
def test_other_domains_are_not_acted_on(text):
    assert not is_action(parse(text).intent)


@pytest.mark.parametrize(
    "text", ["收到", "收到了", "谢谢祝福", "同乐", "新年快乐", "嗯嗯", "[微笑]"]
)
def test_acknowledgements_are_no_opt_out_nor_complaint(text):
    assert not is_grave(parse(text).intent)


def test_the_chit_chat_set_is_rarely_acted_on():
    rep = evaluate_oos(load_lines(OOS / "kdconv_eval.txt"), parse)
    assert rep.total >= 1000
    assert rep.action_rate <= 0.02, rep.lines()
    at_once_grave = sum(n for i, n in rep.at_once.items() if is_grave(i))
    assert at_once_grave / rep.total <= 0.003, rep.lines()


def test_no_acknowledgement_would_opt_out_or_complain_at_once():
    rep = evaluate_oos(load_lines(OOS / "acks_eval.txt"), parse)
    assert not any(is_grave(i) for i in rep.at_once), rep.lines()


def test_the_evaluation_sets_are_not_in_the_corpus():
    seen = {for_intent(t, shorthand=False) for t, _ in load_corpus()}
    # a few everyday one-word replies (好的, 嗯嗯, 行, 可以, 辛苦了) were in the corpus before
    for name, most in (("kdconv_eval.txt", 1), ("acks_eval.txt", 8)):
        shared = [t for t in load_lines(OOS / name) if for_intent(t, shorthand=False) in seen]
        assert len(shared) <= most, shared


@pytest.mark.parametrize(
    ("intent", "text", "has", "no"),
    [
        ("complaint", "我要投诉 师傅迟到两小时", True, False),
        ("complaint", "我不是要投诉 就是问问", False, True),
        ("unsubscribe", "不用退订", False, True),
        ("unsubscribe", "TD", True, False),
        ("unsubscribe", "退訂所有通知", True, False),
        ("unsubscribe", "收到", False, False),
        ("human_agent", "有没有真人啊", True, False),
        ("human_agent", "转人工", True, False),
    ],
)
def test_evidence_and_negation(intent, text, has, no):
    assert evidence(intent, text) is has
    assert denied(intent, text) is no


def test_every_corpus_intent_has_a_consequence_and_a_new_one_counts_as_a_form():
    assert {kind_of(i) for _, i in load_corpus()} <= {"harmless", "form", "state", "alert"}
    assert kind_of("rental") == "form"
