"""The dialog engine: one message in, one reply out, one question at a time.

Per message: who is it (customer) → is a human talking (quiet) → the session → NLU →
cancel? a rating? → fill the pending form (several slots at once, corrections, an aside
answered then back to the question) or route the intent (bot/dialog/routes.py).
"""

from __future__ import annotations

import dataclasses
import logging
import re
from dataclasses import dataclass
from typing import Any

from bot.context import Services
from bot.dialog import middleware, policy, questions, registry, sessions, words
from bot.dialog.forms import CONFIRM, Form, Reask, Turn, call
from bot.dialog.routes import ends_form, grave, resolve, shortcut
from bot.messages import Inbound, Reply, reply_to_json
from bot.nlu.limits import clip, max_chars
from storage.repos import conversation_locks, expected, handoffs, identities, turns
from storage.repos import inbound as inbound_repo

log = logging.getLogger(__name__)

FORM_KEYS = ("form", "slots", "asking", "offer", "declined", "scratch")
TEXT_KINDS = ("text", "voice")
SWITCH_CONFIDENCE = 0.9  # leaving a half-filled form for another one needs a clear request


async def _parse(services: Services, text: str):
    """The NLU with this service's settings; off the event loop while it is still warming up."""
    from bot import nlu

    try:
        return await nlu.aparse(text, services.settings, now=services.clock.now())
    except Exception:  # a broken NLU must not silence the bot
        log.exception("nlu failed; treating the message as unknown")
        return nlu.Parse(text, "unknown", 0.0)


async def respond(services: Services, inbound: Inbound) -> Reply:
    """Answer one inbound message (the webhook, the chat CLI and tests all come here).

    The turn joins whatever turns are waiting (bot/dialog/batch.py): they share one
    transaction. ``dialog.batch_turns: false`` gives every turn its own."""
    inbound.text = clip(inbound.text or "", max_chars(services.settings.nlu))  # the head only
    parse = await _parse_text(services, inbound)
    if not services.settings.dialog.get("batch_turns", True):
        return await respond_alone(services, inbound, parse)
    from bot.dialog.batch import batcher_of

    return await batcher_of(services).submit(inbound, parse)


async def _parse_text(services: Services, inbound: Inbound):
    text = (inbound.text or "").strip()
    if text:
        return await _parse(services, text)
    from bot.nlu import Parse

    return Parse(text, "unknown", 0.0)


async def respond_alone(services: Services, inbound: Inbound, parse) -> Reply:
    """One turn in its own transaction."""
    return (await respond_together(services, [(inbound, parse)]))[0]


async def respond_together(services: Services, items: list[tuple[Inbound, Any]]) -> list[Reply]:
    """Turns of different conversations, one after another in one transaction: one
    statement reads every writer's customer, hand-off state and conversation, one saves
    the conversations, one commit."""
    now = services.clock.now()
    replies: list[Reply] = []
    async with services.db.transaction(short=True) as db:
        # one turn at a time per conversation across processes, before its session is read
        await conversation_locks.hold(db, [inbound.user_key for inbound, _ in items])
        known = await _known_writers(db, [inbound for inbound, _ in items], now)
        # many handlers look at the person's appliances: the first to ask reads them for
        # the whole batch in one statement (a batch of greetings reads none)
        expected.expect(db, [rows.person.id for rows in known.values()])
        saves: list[tuple[str, dict[str, Any]]] = []
        for inbound, parse in items:
            rows = known.get((inbound.channel, inbound.account, inbound.user_id))
            if rows is not None:
                person, quiet = rows.person, rows.quiet
                state = await sessions.load_row(services, inbound.user_key, db, rows.session_row)
            else:  # first contact, or a unionid to link
                person = await identities.customer_for(
                    db, inbound.channel, inbound.account, inbound.user_id, unionid=inbound.unionid
                )
                quiet = await handoffs.quiet_for(db, person.id, now) is not None
                state = {} if quiet else await sessions.load(services, inbound.user_key, db=db)
            if quiet:
                replies.append(Reply())  # a person is talking with them
                continue
            turn = Turn(services, inbound, parse, db, person, state)
            replies.append(await handle(turn))
            saves.append((inbound.user_key, turn.state))
        await sessions.save_many(services, saves, db=db)
        # each reply is the answer to its message in the ledger, committed with the turn
        answered = [
            (i, inbound.dedup_key) for i, (inbound, _) in enumerate(items) if inbound.dedup_key
        ]
        await inbound_repo.finish_many(
            db, [(key, reply_to_json(replies[i]), replies[i].intent) for i, key in answered]
        )
        urgent = list(db.info.pop("deliver_soon", []))
    for i, _ in answered:  # a copy: a handler may hand out one Reply object twice
        replies[i] = dataclasses.replace(replies[i], recorded=True)
    if urgent:
        _deliver_soon(services, urgent)
    return replies


async def _known_writers(db, inbounds: list[Inbound], now) -> dict[tuple[str, str, str], Any]:
    """The turn rows of every known writer (no unionid to link), one statement per
    channel and account."""
    groups: dict[tuple[str, str], list[str]] = {}
    for inbound in inbounds:
        if not inbound.unionid:
            groups.setdefault((inbound.channel, inbound.account), []).append(inbound.user_id)
    known: dict[tuple[str, str, str], Any] = {}
    for (channel, account), ids in groups.items():
        found = await turns.load_many(
            db, channel=channel, account=account, external_ids=ids, now=now
        )
        known.update({(channel, account, ext): rows for ext, rows in found.items()})
    return known


def _deliver_soon(services: Services, ids: list[int]) -> None:
    """Staff notices (a complaint, a new ticket) go out now, not at the next outbox tick."""
    from bot.outbox import deliver_soon

    async def send() -> None:
        try:
            await deliver_soon(services, ids)
        except Exception:  # the dispatcher's tick retries what failed here
            log.exception("deliver_soon failed for %d outbox rows", len(ids))

    services.spawn(send())


def _as_reply(result: str | Reply, intent: str | None) -> Reply:
    if isinstance(result, Reply):
        if result.intent is None:
            result.intent = intent
        return result
    return Reply(text=result, intent=intent)


def clear_form(state: dict[str, Any]) -> None:
    for key in FORM_KEYS:
        state.pop(key, None)


async def handle(turn: Turn) -> Reply:
    """One message: an event or a non-text message first, then the middleware chain
    (bot/dialog/middleware.py), then the intent's route."""
    inbound = turn.inbound
    if inbound.kind == "event":
        turn.named = inbound.intent_hint or "greeting"
    elif inbound.kind not in TEXT_KINDS:
        form = _current_form(turn.state)
        if form is not None:  # e.g. a location for the address, a photo of the invoice
            return await _continue(turn, form, intent="unknown")
        return _as_reply(await resolve("non_text")(turn), "non_text")
    else:
        turn.named = inbound.intent_hint
    for step in middleware.chain():
        reply = await step.step(turn)
        if reply is not None:
            return reply
    return await dispatch(turn, turn.parse.intent)


# -- the engine's own steps, in order (features add theirs by name: handlers/routers.py) ----


async def _confirmed(turn: Turn) -> Reply | None:
    """「是」 to 「您是想退订…吗？」: the intent the policy asked about goes ahead."""
    pending = policy.confirmed(turn)
    if not pending:
        return None
    form = _current_form(turn.state)
    if form is not None and ends_form(pending):
        _leave_for_a_person(turn, form)
    reply = await dispatch(turn, pending, checked=True)
    if form is not None and not ends_form(pending) and reply.text:
        reply.text = f"{reply.text}\n\n接着刚才的{form.title}：{await _reask(turn, form)}"
    return reply


async def _postponed(turn: Turn) -> Reply | None:
    """「考虑一下」 mid-form: no pressing, what was said is kept."""
    form = _current_form(turn.state)
    if form is not None and words.is_postpone(turn.text):
        return await _postpone(turn, form)
    return None


async def _cancelled(turn: Turn) -> Reply | None:
    if not words.is_cancel(turn.text):
        return None
    st = turn.state
    form = _current_form(st)
    clear_form(st)
    st.pop("unknowns", None)
    if form is not None:
        return Reply(text=f"好的，{form.title}已取消。还有什么可以帮您？", intent="cancel")
    if re.search(r"预约|工单|订单|单子|上门", turn.text):
        return Reply(
            text="您目前没有待上门的服务单～需要的话直接跟我说要办什么就行。",
            intent="cancel",
        )
    return Reply(text="好的～有需要随时找我。", intent="cancel")


async def _offered_human(turn: Turn) -> Reply | None:
    """「是」 after 「需要转人工吗？」."""
    st = turn.state
    if not (st.pop("offered_human", None) and words.is_yes(turn.text)):
        return None
    if (form := _current_form(st)) is not None:
        _leave_for_a_person(turn, form)
    clear_form(st)
    return await dispatch(turn, "human_agent", checked=True)


async def _shortcut(turn: Turn) -> None:
    """A whole message (「人工」「退订」) or a menu click names the intent: trusted."""
    cut = shortcut(words.norm(turn.text))
    if cut:
        turn.named, turn.cut = cut, True
    if turn.named and turn.named != turn.parse.intent:
        turn.parse.intent, turn.parse.confidence = turn.named, 1.0
    return None


async def _in_form(turn: Turn) -> Reply | None:
    form = _current_form(turn.state)
    if form is None:
        return None
    return await _continue(turn, form, turn.parse.intent)


async def _acknowledged(turn: Turn) -> Reply | None:
    """「收到」「同乐」: a reply, not a request."""
    if turn.cut or not policy.is_acknowledgement(turn.text):
        return None
    turn.state.pop("unknowns", None)
    return policy.acknowledge(turn.text)


for _name, _step in (
    ("confirmed", _confirmed),
    ("postpone", _postponed),
    ("cancel", _cancelled),
    ("offered_human", _offered_human),
    ("shortcut", _shortcut),
    ("form", _in_form),
    ("acknowledgement", _acknowledged),
):
    middleware.use(_step, name=_name)


def _leave_for_a_person(turn: Turn, form: Form) -> None:
    """The form ends because a person takes over: what was under way goes with the
    hand-off (the store reads 「正在办报修，已填：…」, not only 「转人工」)."""
    summary = "；".join(form.summary(turn).splitlines())
    turn.left_form = f"正在办{form.title}" + (f"，已填：{summary}" if summary else "")
    clear_form(turn.state)


def _current_form(state: dict[str, Any]) -> Form | None:
    name = state.get("form")
    if not name:
        return None
    target = resolve(name)
    return target if isinstance(target, Form) else None


async def dispatch(turn: Turn, intent: str, lead: str = "", checked: bool = False) -> Reply:
    """Route an intent with no form pending. A state change or an alert goes through the
    policy's gate (bot/dialog/policy.py) unless ``checked`` (confirmed already)."""
    st = turn.state
    if intent == "unknown" or _faq_first(turn, intent):
        said = await _faq(turn)
        if said:
            return Reply(text=f"{lead}\n{said}" if lead else said, intent="faq")
    stop = None if checked else policy.check(turn, intent)
    if stop is not None:
        st.pop("unknowns", None)
        return stop
    if intent == "unknown":
        st["unknowns"] = int(st.get("unknowns", 0)) + 1
        if st["unknowns"] >= 2:
            st["unknowns"] = 0
            st["offered_human"] = True
            return Reply(
                text="抱歉，我还没听懂😅 需要帮您转人工客服吗？回复“是”就转。",
                intent="unknown",
            )
    else:
        st.pop("unknowns", None)
    target = resolve(intent)
    if isinstance(target, Form):
        return await start_form(turn, target, intent, lead or policy.lead_for(turn, intent))
    result = await target(turn)
    reply = _as_reply(result, intent)
    if lead and reply.text:
        reply.text = f"{lead}\n{reply.text}"
    return reply


def _faq_first(turn: Turn, intent: str) -> bool:
    """An everyday question ("上门费多少", "礼拜天上班不") is answered, not turned into a
    booking; a firm complaint or a request for a person still goes its way."""
    faq = questions.answers()
    if intent == "human_agent" and faq.asks_contact(turn):
        return True  # "客服电话多少": give the number (and the way to a person)
    if grave(intent) and turn.parse.confidence >= SWITCH_CONFIDENCE:
        return False
    return faq.asks(turn)


async def _faq(turn: Turn) -> str | None:
    """A short answer to an everyday question (price, hours, "are you a robot"), or None.
    Questions about the bot count as off-topic: the second off-topic one in a row is left
    to the "not understood → a human?" path."""
    faq = questions.answers()
    st = turn.state
    chat = faq.is_chat(turn)
    if chat and int(st.get("unknowns", 0)) >= 1:
        return None
    said = await faq.answer(turn)
    if said is None:
        return None
    if chat:
        st["unknowns"] = int(st.get("unknowns", 0)) + 1
    else:
        st.pop("unknowns", None)
    return said


async def start_form(turn: Turn, form: Form, intent: str, lead: str = "") -> Reply:
    st = turn.state
    clear_form(st)
    st["form"] = intent
    st["slots"] = {}
    turn.form_intent = intent
    paused = st.pop("paused", None)
    if paused and paused.get("form") == intent:  # picked up again: what was said still holds
        st["slots"] = dict(paused.get("slots") or {})
        lead = "\n".join(x for x in (lead, "好的，接着刚才的来～") if x)
    if form.start is not None:
        answer = await call(form.start, turn)
        if answer:
            clear_form(st)
            return _as_reply(answer, intent)
    errors = (await _take(turn, form, asked=None)).errors
    intro = "\n".join(x for x in (lead, form.intro) if x)
    if errors:  # a value said at once was wrong: re-ask that one first
        return _remember(turn, _as_reply("\n".join(x for x in (intro, errors[0]) if x), intent))
    return _remember(turn, _as_reply(await next_step(turn, form, intro), intent))


@dataclass
class Taken:
    """What one message gave a form: the error note that re-asks a slot (at most one), the
    slots filled, and the asked slot when the message answered it with a value that did not
    fit (``misfit``)."""

    errors: list[str]
    took: list[str]
    misfit: list[str]
    aside: str | None = None  # the asked slot's reply to what the message said instead


async def _take(turn: Turn, form: Form, asked: str | None) -> Taken:
    """Extract every slot this message fills, validate, store."""
    turn.asked = asked
    turn.form_intent = turn.state.get("form")
    filled: list[str] = []
    misfit: list[str] = []
    errors: list[str] = []
    aside: str | None = None
    # a value already given changes only on purpose: at the confirmation, when asked again,
    # with a correction word ("电话写错了 是139…"), or in a message about this same request
    overwrite = (
        turn.state.get("asking") == CONFIRM
        or bool(_CORRECTION.search(turn.text))
        or turn.parse.intent == turn.form_intent
    )
    for slot in form.slots:
        guarded = slot.name in turn.slots and not (overwrite or asked == slot.name)
        if not await _required(turn, slot):
            continue
        if slot.optional and asked == slot.name and words.is_skip(turn.text):
            turn.slots[slot.name] = None
            filled.append(slot.name)
            continue
        value = await call(slot.extract, turn)
        if value is None:
            if slot.name == asked and slot.aside is not None:
                aside = await call(slot.aside, turn) or None
            continue
        if guarded and not _extends(turn.slots[slot.name], value):
            continue
        error = await call(slot.validate, turn, value) if slot.validate else None
        if error:
            errors.append((slot.name, error))
            if slot.name == asked:
                misfit.append(slot.name)  # an answer to the question, just not a good one
            continue
        turn.slots[slot.name] = value
        filled.append(slot.name)
    if filled and all(name == asked for name, _ in errors):
        errors = []  # the message was about another slot, not a bad answer to this one
    for name, _ in errors[:1]:
        turn.state["asking"] = name
        turn.state.pop("offer", None)
        turn.slots.pop(name, None)
    return Taken([e for _, e in errors[:1]], filled, misfit, aside)


def _extends(old: Any, new: Any) -> bool:
    """``new`` only adds to ``old`` ("格力的" after "空调"): every known field kept."""
    if not isinstance(old, dict) or not isinstance(new, dict) or old == new:
        return False
    return all(new.get(k) == v for k, v in old.items() if v is not None)


async def _required(turn: Turn, slot) -> bool:
    if isinstance(slot.required, bool):
        return slot.required
    return bool(await call(slot.required, turn))


async def next_step(turn: Turn, form: Form, lead: str = "") -> str | Reply:
    """Ask for the first missing slot (offering a known value), else confirm or submit."""
    st = turn.state

    def said(text: str) -> str:
        return f"{lead}\n{text}" if lead else text

    for slot in form.slots:
        if slot.name in turn.slots or not await _required(turn, slot):
            continue
        if slot.prefill is not None and slot.name not in st.get("declined", []):
            known = await call(slot.prefill, turn)
            if known is not None:
                if slot.offer is None:
                    turn.slots[slot.name] = known
                    continue
                st["asking"] = slot.name
                st["offer"] = {"slot": slot.name, "value": known}
                if isinstance(slot.offer, str):
                    question = slot.offer.format(value=slot.display(known))
                else:
                    question = await call(slot.offer, turn, known)
                return said(question)
        st["asking"] = slot.name
        st.pop("offer", None)
        return said(await _prompt(turn, slot))
    st.pop("offer", None)
    if form.confirm is False:
        return await _submit(turn, form, lead)
    st["asking"] = CONFIRM
    return said(await _confirmation(turn, form))


async def _prompt(turn: Turn, slot) -> str:
    if isinstance(slot.prompt, str):
        return slot.prompt
    return await call(slot.prompt, turn)


async def _confirmation(turn: Turn, form: Form) -> str:
    if callable(form.confirm):
        return await call(form.confirm, turn)
    return f"请核对一下：\n{form.summary(turn)}\n{form.confirm_hint}"


async def _submit(turn: Turn, form: Form, lead: str = "") -> str | Reply:
    try:
        result = await form.submit(turn)
    except Reask as again:
        turn.slots.pop(again.slot, None)
        turn.state["asking"] = again.slot
        return again.message
    clear_form(turn.state)
    if lead and isinstance(result, str):
        return f"{lead}\n{result}"
    return result


async def _continue(turn: Turn, form: Form, intent: str) -> Reply:
    """The person answers (or not) the pending question of ``form``; the same question is
    never sent twice in a row word for word (:func:`_vary`)."""
    name, last = turn.state.get("form"), turn.scratch.get("_last")
    reply = await _answer_in_form(turn, form, intent)
    same_form = turn.state.get("form") == name  # not ended, not switched to another
    if same_form and reply.text and reply.text == last:
        reply.text = _vary(turn, form, reply.text)
    return _remember(turn, reply)


def _remember(turn: Turn, reply: Reply) -> Reply:
    if turn.state.get("form"):
        turn.scratch["_last"] = reply.text
    return reply


_CHOICES = re.compile(r"回复[:：]?\s{0,3}((?:\d[.、．]\s{0,2}\S{1,8}\s{0,3}){2,6})$")
_CHOICE = re.compile(r"\d[.、．]\s{0,2}(\S{1,8})")


def _vary(turn: Turn, form: Form, text: str) -> str:
    """The question of the last message, asked another way: a numbered choice as words to
    say, else the slot's own ``rephrase``, else the question with an example-giving lead."""
    asking = turn.state.get("asking")
    slot = form.slot(asking) if asking and asking != CONFIRM else None
    if slot is not None and isinstance(slot.rephrase, str) and slot.rephrase:
        return slot.rephrase
    lines = text.split("\n")
    m = _CHOICES.search(lines[-1])
    if m:
        options = _CHOICE.findall(m.group(1))
        said = "、".join(f"“{o}”" for o in options[:-1]) + f"或“{options[-1]}”"
        question = lines[-1][: m.start()].strip()
        return "\n".join([*lines[:-1], f"{question}直接说{said}就行，按您的感觉说就好～"])
    return f"可能我没问清楚😅 {text}"


async def _postpone(turn: Turn, form: Form) -> Reply:
    """ "考虑一下" / "先不用了": the form ends without pressing; what was said is kept (for
    this conversation, and by the form's ``leave`` hook: a lead, a quote) and the way back
    is said."""
    st = turn.state
    name = st.get("form") or form.name
    kept = {k: v for k, v in turn.slots.items() if v is not None}
    extra = await call(form.leave, turn) if form.leave is not None else None
    clear_form(st)
    st.pop("unknowns", None)
    if kept:
        st["paused"] = {"form": name, "slots": kept}
    back = form.resume_hint or form.title
    said = f"好的，不着急～{form.title}先放一放"
    said += "，您刚才说的我都记着" if kept else ""
    said += f"。想好了随时回复“{back}”就能接着办😊"
    return Reply(text="\n".join(x for x in (str(extra or ""), said) if x), intent="cancel")


async def _answer_in_form(turn: Turn, form: Form, intent: str) -> Reply:
    st = turn.state
    name = st["form"]
    asking = st.get("asking")
    turn.form_intent = name
    text = turn.text

    # a question put to us mid-form ("你们周末上门吗", "上门费多少") is answered, never taken
    # as a slot value ("周末上门吧" fills the time); then the form's question comes back
    if words.is_side_question(text) and _faq_first(turn, intent):
        said = await _faq(turn)
        if said:
            return Reply(
                text=f"{said}\n\n接着刚才的{form.title}：{await _reask(turn, form)}", intent="faq"
            )
    # a question about another service (「滤芯多少钱」 mid-booking) does not drop the booking
    if words.is_side_question(text) and _asks_for_another_form(turn, intent, name):
        other = registry.label(intent) or "这个"
        return Reply(
            text=f"{other}的事，{form.title}办好马上帮您看～\n\n"
            f"接着刚才的{form.title}：{await _reask(turn, form)}",
            intent=name,
        )

    # a value we offered ("还是上门到 XX 吗?")
    offer = st.get("offer")
    if offer and asking == offer["slot"]:
        if words.is_yes(text):
            turn.slots[offer["slot"]] = offer["value"]
            st.pop("offer", None)
            errors = (await _take(turn, form, asked=None)).errors
            if errors:
                return _as_reply(errors[0], name)
            return _as_reply(await next_step(turn, form), name)
        probe = dict(turn.slots)
        took = (await _take(turn, form, asked=asking)).took
        turn.slots.clear()
        turn.slots.update(probe)
        if asking not in took and words.is_no(text):  # "不是" (and nothing new said)
            st.pop("offer", None)
            st.setdefault("declined", []).append(offer["slot"])
            slot = form.slot(offer["slot"])
            return _as_reply(f"好的，{await _prompt(turn, slot)}", name)

    if asking == CONFIRM and words.is_yes(text):
        said_yes = await _take(turn, form, asked=None)
        if not said_yes.took and not said_yes.errors:
            return _as_reply(await _submit(turn, form), name)

    taken = await _take(turn, form, asked=None if asking == CONFIRM else asking)
    errors, took, misfit = taken.errors, taken.took, taken.misfit
    if taken.aside and not took and not errors:  # answered; the question stays
        st.pop("unknowns", None)
        return _as_reply(taken.aside, name)
    # the asked slot read the message but did not accept it ("坏了 不能用了" again while the
    # trade-in asks about the condition): an answer to re-ask, not a new request to switch to
    if asking not in took and not misfit and _asks_for_another_form(turn, intent, name):
        return await start_form(turn, resolve(intent), intent, f"好的，先不{form.title}了。")
    if took:
        st.pop("unknowns", None)
        if errors:
            return _as_reply(errors[0], name)
        labels = "、".join(form.slot(n).label or n for n in took if form.slot(n).label)
        if asking == CONFIRM:
            return _as_reply(await next_step(turn, form, f"好的，{labels}已更新。"), name)
        if asking not in took and labels:  # they said something else than what was asked
            _stop_insisting(turn, form, asking)
            return _as_reply(await next_step(turn, form, f"好的，{labels}记下了。"), name)
        return _as_reply(await next_step(turn, form), name)
    if errors:  # an answer that does not fit: re-ask (twice in a row, offer a human too)
        if turn.parse.intent != "unknown":
            return _as_reply(errors[0], name)
        st["unknowns"] = int(st.get("unknowns", 0)) + 1
        if st["unknowns"] >= 2 and asking and asking != CONFIRM and form.slot(asking).optional:
            return await _move_on(turn, form)  # an optional question is let go
        if st["unknowns"] >= 2:  # the why again (it is news), and the way to a person
            st["unknowns"] = 0
            st["offered_human"] = True  # "是" now hands over
            return _as_reply(f"{errors[0]}\n（想找人工客服，回复“人工”就行）", name)
        return _as_reply(errors[0], name)

    change = await _change_request(turn, form)
    if change is not None:
        return _as_reply(change, name)

    if asking == CONFIRM and words.is_no(text):
        return _as_reply("好的，哪一项要改？直接告诉我新的内容就行，比如“电话是139…”。", name)

    # not an answer: something else asked mid-form, or not understood
    if words.is_yes(text) or words.is_no(text):  # "好" to a question that wants a value
        return Reply(text=await _reask(turn, form), intent=name)
    if turn.inbound.kind not in TEXT_KINDS:
        return Reply(
            text=f"{await resolve('non_text')(turn)}\n{await _reask(turn, form)}", intent=name
        )
    asks_faq = intent == "unknown" or _faq_first(turn, intent)
    stop = policy.check(turn, intent) if intent not in ("unknown", name) and not asks_faq else None
    if stop is not None:  # asked or declined: the form stays, its question comes back
        stop.text = f"{stop.text}\n\n接着刚才的{form.title}：{await _reask(turn, form)}"
        return stop
    if ends_form(intent) and not asks_faq:
        _leave_for_a_person(turn, form)
        return await dispatch(turn, intent, checked=True)
    if asks_faq:  # "多少钱啊" / "几点下班": answer, then back to the question
        said = await _faq(turn)
        if said:
            return Reply(
                text=f"{said}\n\n接着刚才的{form.title}：{await _reask(turn, form)}", intent="faq"
            )
    if intent not in ("unknown", name):
        target = resolve(intent)
        if isinstance(target, Form):
            if not _asks_for_another_form(turn, intent, name):
                return Reply(text=f"不好意思没太明白～{await _reask(turn, form)}", intent="unknown")
            return await start_form(turn, target, intent, f"好的，先不{form.title}了。")
        if intent == "greeting":  # "在吗" mid-form: no menu, just pick up the question
            aside = Reply(text="您好，在的😊", intent=intent)
        else:
            aside = _as_reply(await target(turn), intent)
        back = await _reask(turn, form)
        aside.text = f"{aside.text}\n\n接着刚才的{form.title}：{back}" if aside.text else back
        return aside
    st["unknowns"] = int(st.get("unknowns", 0)) + 1
    if st["unknowns"] >= 2:
        return await _move_on(turn, form)
    return Reply(text=f"不好意思没太明白～{await _reask(turn, form)}", intent="unknown")


async def _move_on(turn: Turn, form: Form) -> Reply:
    """The second miss in a row on one question: not the same question a third time. An
    optional slot is let go (the form moves on); a needed one gets the offer of a person
    ("是" takes it) or another way to say it."""
    st = turn.state
    st["unknowns"] = 0
    name = st.get("form") or form.name
    asking = st.get("asking")
    slot = form.slot(asking) if asking and asking != CONFIRM else None
    if slot is not None and slot.optional:
        turn.slots[asking] = None
        what = slot.label or "这一项"
        return _as_reply(await next_step(turn, form, f"{what}先跳过～"), name)
    st["offered_human"] = True  # "是" now hands over (bot/dialog/engine.handle)
    what = f"{slot.label}" if slot is not None and slot.label else "您的意思"
    example = f"（比如：{slot.example}）" if slot is not None and slot.example else ""
    return Reply(
        text=f"抱歉，我还是没太明白😅 需要的话回复“人工”帮您转人工客服（回复“是”也行）；"
        f"也可以换个说法再告诉我{what}{example}～",
        intent="unknown",
    )


def _stop_insisting(turn: Turn, form: Form, asking: str | None) -> None:
    """An optional question answered around twice (the person gives everything but that) is
    let go: stored as None, like "不知道", so the conversation moves on."""
    if not asking or asking == CONFIRM or asking in turn.slots:
        return
    slot = form.slot(asking)
    if not slot.optional:
        return
    skipped = turn.scratch.setdefault("_skipped", [])
    if asking in skipped:
        turn.slots[asking] = None
    else:
        skipped.append(asking)


_CHANGE = re.compile(r"换|改|变|不对|错|不是|搬")
_SLOT_WORDS = {  # what people call a slot besides its label
    "address": "地址|住址|地方|家",
    "phone": "电话|手机|号码|号",
    "window": "时间|日子|哪天|时候",
    "device": "设备|电器|机器",
}


async def _change_request(turn: Turn, form: Form) -> str | None:
    """ "地址换了" / "电话不对" with no new value: forget that slot and ask it again."""
    if not _CHANGE.search(turn.text) or len(words.norm(turn.text)) > 12:
        return None
    st = turn.state
    for slot in form.slots:
        names = "|".join(x for x in (slot.label, _SLOT_WORDS.get(slot.name)) if x)
        if not names or slot.name not in turn.slots or not re.search(names, turn.text):
            continue
        turn.slots.pop(slot.name, None)
        declined = st.setdefault("declined", [])
        if slot.name not in declined:
            declined.append(slot.name)
        st["asking"] = slot.name
        st.pop("offer", None)
        return f"好的，{await _prompt(turn, slot)}"
    return None


_CORRECTION = re.compile(
    r"写错|错了|改成|改为|换成|改到|改一下|更正|不是|不对|应该是|[改换]个?(?:时间|日子|地址|电话|号码)"
)
_FILLER = set("的了吧呢啊呀哦嘛是我家里那个这个一台下在")


def _asks_for_another_form(turn: Turn, intent: str, current: str) -> bool:
    """A clear request for another form: its intent, confidently, with words beyond the
    entities ("我想预约安装一台热水器" switches; "格力空调" alone is an answer, not a request)."""
    if intent in ("unknown", current) or not isinstance(resolve(intent), Form):
        return False
    if turn.parse.confidence < SWITCH_CONFIDENCE or _CORRECTION.search(turn.text):
        return False
    if words.is_yes(turn.text) or words.is_no(turn.text) or words.is_skip(turn.text):
        return False
    rest = turn.text
    for ent in turn.parse.entities:
        rest = rest.replace(ent.text, "")
    rest = "".join(ch for ch in words.norm(rest) if ch not in _FILLER and not ch.isdigit())
    return len(rest) >= 3


async def _reask(turn: Turn, form: Form) -> str:
    st = turn.state
    asking = st.get("asking")
    if asking == CONFIRM:
        return await _confirmation(turn, form)
    offer = st.get("offer")
    if offer and offer["slot"] == asking:
        slot = form.slot(asking)
        if isinstance(slot.offer, str):
            return slot.offer.format(value=slot.display(offer["value"]))
        return await call(slot.offer, turn, offer["value"])
    if asking:
        return await _prompt(turn, form.slot(asking))
    return str(await next_step(turn, form))
