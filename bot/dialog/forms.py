"""Declarative forms: a handler names its slots, how each is extracted, validated and asked,
then a confirmation and a submit coroutine. The engine (bot/dialog/engine.py) drives them.

    Form(
        name="repair", title="报修",
        slots=[Slot("phone", prompt="请问联系电话是？", extract=extractors.phone,
                    validate=validators.phone, label="电话")],
        submit=submit_repair,          # async (turn) -> str | Reply
    )

Extractors, validators, prompts, prefills and ``start`` may be plain functions or coroutines.
See /work/notes/dialog-api.md for the full guide.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Services
from bot.messages import Inbound, Reply
from bot.nlu import Entity, Parse
from storage.models import Customer
from storage.repos.turns import Person

CONFIRM = "__confirm__"

MaybeAwaitable = Any


async def call(fn: Callable[..., MaybeAwaitable] | None, *args: Any) -> Any:
    """Call a plain function or a coroutine function alike."""
    if fn is None:
        return None
    result = fn(*args)
    if inspect.isawaitable(result):
        result = await result
    return result


@dataclass
class Turn:
    """Everything a handler sees for one message."""

    services: Services
    inbound: Inbound
    parse: Parse
    db: AsyncSession  # the open transaction for this message
    # who is writing: the row read with the batch (storage/repos/turns.py), made the ORM
    # Customer the first time a handler asks for :attr:`customer`
    person: Customer | Person
    state: dict[str, Any]  # the conversation's persisted state (JSON-serialisable)
    asked: str | None = None  # while extracting: the slot the bot asked for last
    form_intent: str | None = None
    left_form: str | None = None  # a form just left for a person: what was under way
    named: str | None = None  # the intent a menu click, an event or a shortcut names
    cut: bool = False  # named by a whole-message shortcut (「人工」「退订」)

    @property
    def customer(self) -> Customer:
        """The writer as an ORM object in this turn's session (to change, or hand on)."""
        if isinstance(self.person, Person):
            self.person = self.person.customer(self.db)
        return self.person

    @property
    def text(self) -> str:
        return (self.inbound.text or "").strip()

    @property
    def slots(self) -> dict[str, Any]:
        return self.state.setdefault("slots", {})

    @property
    def scratch(self) -> dict[str, Any]:
        """A handler's own notes for the form in progress (JSON); cleared with the form."""
        return self.state.setdefault("scratch", {})

    @property
    def now(self) -> datetime:
        return self.services.clock.now()

    @property
    def local_now(self) -> datetime:
        return self.services.clock.local_now()

    @property
    def tz(self) -> tzinfo:
        return self.services.settings.tz

    @property
    def user_key(self) -> str:
        return self.inbound.user_key

    @property
    def source_key(self) -> str:
        """Names this message for idempotent writes (the channel's dedup key when present)."""
        if self.inbound.dedup_key:
            return self.inbound.dedup_key
        return f"{self.inbound.user_key}:{self.inbound.received_at.isoformat()}:{self.text[:40]}"

    def entity(self, type_: str) -> Entity | None:
        return self.parse.first(type_)

    def entities(self, type_: str) -> list[Entity]:
        return [e for e in self.parse.entities if e.type == type_]

    @property
    def other_intent(self) -> bool:
        """True when the message clearly means something else than the form being filled
        (raw-text extractors then leave it alone)."""
        from bot.nlu.intents import DEFAULT_THRESHOLD

        threshold = float(self.services.settings.nlu.get("confidence_threshold", DEFAULT_THRESHOLD))
        return (
            self.parse.intent not in ("unknown", self.form_intent)
            and self.parse.confidence >= threshold
        )

    def may_fill(self, slot: str) -> bool:
        """This message may answer ``slot``: it was asked, or the slot is still empty (the
        customer answers in their own order: 「海尔的 用了8年了」 to the brand question gives
        the age too). Raw free text is taken only for the slot asked (:meth:`answer_for`)."""
        return self.asked == slot or slot not in self.slots

    def answer_for(self, slot: str) -> str | None:
        """The raw text as the answer to ``slot``: only when the bot asked for it, the message
        means nothing else, and it is not a bare yes / no. Else None."""
        from bot.dialog import words

        text = self.text
        if self.asked != slot or self.other_intent or not text:
            return None
        if words.is_yes(text) or words.is_no(text):
            return None
        return text


Extractor = Callable[[Turn], MaybeAwaitable]  # -> value | None
Validator = Callable[[Turn, Any], MaybeAwaitable]  # -> error text | None
Prompt = str | Callable[[Turn], MaybeAwaitable]


@dataclass
class Slot:
    """One thing the form needs.

    - ``extract(turn)`` returns the value found in this message, or ``None``. It may use the
      raw text when ``turn.asked == name`` (the bot just asked for it) and not
      ``turn.other_intent``; otherwise only entities / unmistakable patterns.
    - ``validate(turn, value)`` returns a short Chinese error that re-asks, or ``None``.
    - ``prompt``: the question (text, or a function of the turn).
    - ``prefill(turn)``: a value we already know. With ``offer`` (text with ``{value}``, or a
      function (turn, value) -> text) the bot asks "还是…吗?"; without, it is filled silently.
    - ``required``: False or a predicate (turn) -> bool to skip the slot.
    - ``optional``: the person may answer 没有/跳过/不知道 (stored as None); asked twice and
      answered around twice, or not understood twice, it is let go too.
    - ``rephrase``: the question asked another way; ``example``: a sample answer.
    - ``aside(turn)``: while this slot is asked and the message gives no value for it, a reply
      to what the message says instead (a question about the quote, 「行 就申请吧」 before the
      address, the age said again while the condition is asked), or None. The question
      stays; it is not counted as a miss.
    - ``label`` / ``show(value)``: how the confirmation lists it; ``none_text`` when it is None.
    """

    name: str
    prompt: Prompt
    extract: Extractor
    validate: Validator | None = None
    label: str = ""
    show: Callable[[Any], str] | None = None
    prefill: Callable[[Turn], MaybeAwaitable] | None = None
    offer: str | Callable[[Turn, Any], MaybeAwaitable] | None = None
    required: bool | Callable[[Turn], MaybeAwaitable] = True
    optional: bool = False
    none_text: str = "无"
    rephrase: str = ""  # the question asked another way (never the same words twice in a row)
    example: str = ""  # a sample answer, shown when the answer was not understood twice
    aside: Callable[[Turn], MaybeAwaitable] | None = None  # -> a reply, or None

    def display(self, value: Any) -> str:
        if value is None:
            return self.none_text
        return self.show(value) if self.show else str(value)


@dataclass
class Reask(Exception):
    """Raised by ``submit`` when a slot turned out wrong at the last moment: the engine
    empties that slot and replies ``message`` (which should ask for it again)."""

    slot: str
    message: str


@dataclass
class Form:
    """A conversation that fills ``slots`` then calls ``submit``.

    - ``title``: what the person is doing, for "已取消报修" (e.g. "报修").
    - ``intro``: the first line when the form starts (optional).
    - ``start(turn)``: runs when the form starts (seed slots, or return a text to answer
      instead and not start, e.g. "您还没有登记净水器").
    - ``confirm``: True → the default summary of the labelled slots; a function (turn) → text;
      False → submit as soon as everything is filled.
    - ``submit(turn)``: writes the rows and returns the reply (str or Reply).
    """

    name: str
    title: str
    slots: list[Slot]
    submit: Callable[[Turn], Awaitable[str | Reply]]
    confirm: bool | Callable[[Turn], MaybeAwaitable] = True
    intro: str = ""
    start: Callable[[Turn], MaybeAwaitable] | None = None
    confirm_hint: str = "没问题请回复“确认”，要改哪项直接告诉我。"
    # 「考虑一下」: ``leave(turn)`` keeps what was learnt (a lead, a quote) and may return a line
    leave: Callable[[Turn], MaybeAwaitable] | None = None
    resume_hint: str = ""  # what to say to pick it up again (default: the title)

    def slot(self, name: str) -> Slot:
        return next(s for s in self.slots if s.name == name)

    def summary(self, turn: Turn) -> str:
        lines = []
        for s in self.slots:
            if s.label and s.name in turn.slots:
                lines.append(f"{s.label}：{s.display(turn.slots[s.name])}")
        return "\n".join(lines)


Responder = Callable[[Turn], Awaitable[str | Reply]]
