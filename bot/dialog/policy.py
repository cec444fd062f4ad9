"""The gate between understanding and doing (docs/understanding.md).

What each intent does is declared in :mod:`bot.nlu.consequence`. Here, per message:

* a reply to a care message (收到, 谢谢祝福, 同乐, 新年快乐) is thanked, never acted on;
* a state change or an alert goes ahead only with explicit evidence in the message and a
  high score; a denied one (我不是要投诉) is answered, not acted on; otherwise one short
  question is asked, and "是" to it completes the request (a two-stage fallback);
* a form starts only when the message is about the customer's own appliance or request.

The engine calls :func:`check` before routing an intent and :func:`confirmed` first thing
on a text message.
"""

from __future__ import annotations

import re

from bot.dialog import words
from bot.dialog.forms import Turn
from bot.messages import Reply
from bot.nlu.acknowledgement import is_acknowledgement as is_acknowledgement  # the engine asks here
from bot.nlu.consequence import GRAVE_CONFIDENCE, NOT_MINE, denied, evidence, is_grave, kind_of

PENDING = "confirm"  # state key: the intent a question is waiting on

QUESTIONS = {
    "unsubscribe": "您是想退订关怀消息（节日祝福、提醒）吗？回复“是”退订。",
    "subscribe": "您是想重新接收关怀消息吗？回复“是”开启。",
    "complaint": "很抱歉让您不满意😔 您是要投诉吗？回复“是”我马上转告店里处理。",
    "human_agent": "需要帮您转人工客服吗？回复“是”就转。",
}
DENIED = {
    "unsubscribe": "好的，关怀消息照常为您保留😊 还有什么可以帮您？",
    "subscribe": "好的，不做改动～还有什么可以帮您？",
    "complaint": "好的明白～您想了解什么直接问我就行😊",
    "human_agent": "好的～您直接说需要什么，我来帮您😊",
}
NOT_YOURS = "明白～这次不帮您下单。如果是您自己家的电器需要报修、安装或清洗，随时告诉我😊"

_FESTIVE = re.compile(r"快乐|安康|新年|过年|春节|同乐|同喜|同祝|吉祥|如意|发财|恭喜|幸福|健康")


def acknowledge(text: str) -> Reply:
    if _FESTIVE.search(text):
        said = "谢谢您～也祝您和家人一切顺利😊 家里电器有需要随时找我。"
    else:
        said = "收到😊 谢谢您～有需要随时找我。"
    return Reply(text=said, intent="thanks")


def turn_back_on(text: str) -> bool:
    """The message asks for care messages back (订阅 / 开回来 / 恢复…) and not for them off
    (the subscription handler's own test, which the unsubscribe handler follows)."""
    return words.wants_back_on(text)


def check(turn: Turn, intent: str) -> Reply | None:
    """None when ``intent`` may go ahead; else what to say instead: the question, the answer
    to a denial, or why no form starts. A menu click always goes ahead."""
    kind = kind_of(intent)
    if intent == "unknown":  # 「我不是要投诉 就是问问」: the NLU saw the denial; answer it
        said = next((DENIED[g] for g in DENIED if denied(g, turn.text)), None)
        return Reply(text=said, intent="unknown") if said else None
    if kind == "form":
        return Reply(text=NOT_YOURS, intent="unknown") if NOT_MINE.search(turn.text) else None
    if not is_grave(intent) or turn.inbound.intent_hint:
        return None
    if denied(intent, turn.text):
        return Reply(text=DENIED.get(intent, DENIED["complaint"]), intent="unknown")
    if intent == "unsubscribe" and turn_back_on(turn.text):
        return None  # 「还是开回来吧 订阅」: switching care back on, in the customer's words

    if evidence(intent, turn.text) and turn.parse.confidence >= GRAVE_CONFIDENCE:
        return None
    turn.state[PENDING] = intent
    return Reply(text=QUESTIONS.get(intent, "您是这个意思吗？回复“是”确认。"), intent="confirm")


def confirmed(turn: Turn) -> str | None:
    """The intent a question of :func:`check` was waiting on, when this message says yes to
    it. The question is forgotten either way: it waits for one message only."""
    pending = turn.state.pop(PENDING, None)
    if pending and words.is_yes(turn.text):
        return str(pending)
    return None


# "又坏了！！！第三次了": a form still starts, after an apology.
_UPSET = re.compile(r"[!！]{2,}|又(?:坏|不|出|漏|停)|第[二三四五六几]次|到底(?:能不能|会不会)|气死")
SORRY = "非常抱歉给您添麻烦了😔"


def lead_for(turn: Turn, intent: str) -> str:
    """What a form's first reply opens with: an apology when the customer is upset."""
    return SORRY if kind_of(intent) == "form" and _UPSET.search(turn.text) else ""
