"""A complaint or "找人工": a handoff row, the guide told at once, the bot quiet meanwhile.

When ``mp.transfer_customer_service`` is on, the reply also transfers the chat to the
customer-service system. The bot stays quiet until a human releases the customer
(:func:`release`) or ``service.handoff_quiet_minutes`` pass.
"""

from __future__ import annotations

from datetime import timedelta

from bot.context import Services
from bot.dialog.forms import Turn
from bot.dialog.router import Router
from bot.messages import Reply
from handlers.common import customer_label, tell_customer, tell_staff
from storage.repos import handoffs, inbound

EARLIER = timedelta(minutes=30)  # the customer's words a hand-off notice quotes


async def _hand_off(turn: Turn, kind: str, opening: str, why: str | None = None) -> Reply:
    """Open a hand-off and tell the store. ``why`` (what the customer wanted, when the bot
    knows it better than their words) goes into the notice before their words."""
    quiet = int(turn.services.settings.service.get("handoff_quiet_minutes", 30))
    why = why or turn.left_form
    row = await handoffs.open_handoff(
        turn.db,
        turn.person.id,
        kind,
        reason=(f"{why}｜{turn.text}" if why else turn.text) or None,
        now=turn.now,
        quiet_until=turn.now + timedelta(minutes=quiet),
    )
    what = "投诉" if kind == "complaint" else "要找人工"
    said = f"：“{turn.text[:80]}”" if turn.text else ""
    lines = [f"【{what}】{customer_label(turn.customer)}{said}"]
    if why:
        lines.append(why)
    earlier = await inbound.recent_texts(
        turn.db,
        turn.inbound.user_id,
        since=turn.now - EARLIER,
        exclude_key=turn.inbound.dedup_key,
    )
    if earlier:
        lines.append("之前说的：" + " ".join(f"“{t[:60]}”" for t in reversed(earlier)))
    lines.append("请尽快在公众号客服里回复客户。")
    who = await tell_staff(turn.db, turn.customer, "\n".join(lines), idem_key=f"handoff:{row.id}")
    transfer = bool(turn.services.settings.mp.transfer_customer_service)
    tail = (
        "已为您转接人工客服，请稍等～" if transfer else "已通知店里的同事，会尽快联系您，请稍等～"
    )
    if who is None and not transfer:
        tail = "已经记录下来，工作人员会尽快联系您，请稍等～"
    text = f"{opening}{tail}"
    if transfer:  # the transfer reply carries no text: say it by customer-service message
        await tell_customer(turn.db, turn.person.id, text, idem_key=f"handoff-ack:{row.id}")
    return Reply(text=text, transfer_customer_service=transfer)


async def complaint(turn: Turn) -> Reply:
    return await _hand_off(turn, "complaint", "非常抱歉给您带来不好的体验😔\n")


async def human_agent(turn: Turn) -> Reply:
    return await _hand_off(turn, "human_agent", "好的，")


async def for_a_reason(turn: Turn, why: str, opening: str = "好的，") -> Reply:
    """A hand-off the bot decides on, with what the customer wanted (e.g. cancelling a visit
    whose engineer is already on the way)."""
    return await _hand_off(turn, "human_agent", opening, why)


async def release(services: Services, customer_id: int) -> int:
    """A human hands the chat back to the bot. Returns how many handoffs were closed."""
    async with services.db.transaction() as db:
        return await handoffs.release(db, customer_id, services.clock.now())


router = Router("people")
router.responder("complaint", label="投诉", consequence="alert")(complaint)
router.responder(
    "human_agent",
    label="转人工",
    menu=(4, "找人工客服"),
    consequence="alert",
    shortcuts=("人工", "转人工", "人工客服"),
    prefixes=("转人工",),
)(human_agent)
