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


@pytest.mark.parametrize("name", ["kdconv_eval.txt", "ud_gsdsimp_eval.txt"])
def test_the_nlu_itself_rarely_reports_an_alert_or_opt_out_out_of_scope(name):
    """Measured where the NLU reports its intent (wxbot nlu parse), not only after the dialog's
    policy: at most 0.3 % of the lines of another domain come out as unsubscribe, complaint or
    human_agent, at most 2 % as any action."""
    rep = evaluate_oos(load_lines(OOS / name), parse)
    assert rep.total >= 1000
    assert rep.grave_rate <= 0.003, rep.lines()
    assert rep.action_rate <= 0.02, rep.lines()


@pytest.mark.parametrize(
    "text",
    ["门票贵不贵？", "他还是狮子座的男人呢，好霸气呀。", "那专辑的制作人是谁呢？", "人工湖边散步"],
)
def test_a_guessed_alert_about_nothing_of_ours_is_reported_unknown(text):
    got = parse(text)
    assert not is_grave(got.intent), got
    assert not is_action(got.intent), got


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("退订", "unsubscribe"),
        ("别再给我发这些推送了", "unsubscribe"),
        ("我要投诉 师傅把我家地板刮花了", "complaint"),
        ("修了三次还是坏的 你们什么服务", "complaint"),
        ("转人工", "human_agent"),
        ("叫你们经理出来", "human_agent"),
    ],
)
def test_real_requests_still_come_through(text, intent):
    assert parse(text).intent == intent


@pytest.mark.parametrize("text", ["收到提醒了", "生日祝福收到了 谢谢", "收到 谢谢"])
def test_an_acknowledgement_is_thanks_whatever_the_classifier_guessed(text):
    assert parse(text).intent == "thanks"


def test_no_acknowledgement_would_opt_out_or_complain_at_once():
    rep = evaluate_oos(load_lines(OOS / "acks_eval.txt"), parse)
    assert not any(is_grave(i) for i in rep.at_once), rep.lines()


def test_the_evaluation_sets_are_not_in_the_corpus():
    seen = {for_intent(t, shorthand=False) for t, _ in load_corpus()}
    # a few everyday one-word replies (好的, 嗯嗯, 行, 可以, 辛苦了) were in the corpus before
    for name, most in (("kdconv_eval.txt", 1), ("acks_eval.txt", 8), ("ud_gsdsimp_eval.txt", 0)):
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
