"""The customer changes or cancels a booked visit in chat: 「改到后天上午」「换个时间」「取消预约」
「不用来了」. One confirming turn shows the ticket and what will change; 「是」 applies it
(``handlers.ticket_dispatch``), the engineer and the store are told, 进度 shows it. A visit
already under way (engineer on the way, or arrived) is not changed by the bot: a person takes
it, told what the customer wanted.
"""

from __future__ import annotations

import re
from typing import Any

from bot.dialog import extractors as ex
from bot.dialog import words
from bot.dialog.forms import Turn
from bot.messages import Reply
from handlers import complaint, ticket_dispatch
from handlers.common import customer_label, tell_staff
from handlers.status import TICKET_KIND
from storage.models import ServiceTicket
from storage.repos import tickets

PENDING = "booking_change"  # state key: the change waiting for 是 / 不
UNDER_WAY = ("on_the_way", "arrived")
# Bounded and anchored where it matters: customer text is hostile until proven otherwise.
_TIME_CHANGE = re.compile(
    r"换(?:个|一个|一下)?时间|改(?:一下|个)?时间|推迟|延后|往后推|改天|另约|改期|"
    r"时间(?:有变|不行|不方便)"
)
_MOVE_TO = re.compile(r"改(?:到|成|在|为)|挪到|调到|提前到|推到")  # …with a time said
_CANCEL = re.compile(
    r"取消(?:预约|工单|上门|维修|安装|清洗|服务|订单|这单|单子)|不用(?:来|上门)了|别来了|"
    r"不要来了|不需要上门|不修了|不装了|不用修了|不用装了|撤销预约"
)
_NUMBER = re.compile(r"[A-Za-z]\d{8}-\d{4}")


def asks_to_cancel(text: str) -> bool:
    return bool(_CANCEL.search(text[:200]))


def asks_to_reschedule(turn: Turn) -> bool:
    """「换个时间」「推迟」, or 「改到后天上午」 (a move with a time in it; 「电话改成…」 is not)."""
    text = turn.text[:200]
    if _TIME_CHANGE.search(text):
        return True
    return bool(_MOVE_TO.search(text)) and bool(turn.entities("datetime"))


def _when(ticket: ServiceTicket, turn: Turn) -> str:
    return ticket_dispatch.window_text(ticket.window_start, ticket.window_end, turn.tz)


def _describe(ticket: ServiceTicket, turn: Turn) -> str:
    what = " ".join(x for x in (ticket.brand, ticket.category) if x)
    kind = TICKET_KIND.get(ticket.kind, "服务")
    return f"{ticket.number}（{kind}{' ' + what if what else ''}，{_when(ticket, turn)}）"


async def _ticket(turn: Turn) -> ServiceTicket | None | list[ServiceTicket]:
    """The open ticket the customer means: the one named by number, else the only one, else
    the list to choose from (None when there is none)."""
    found = await tickets.for_customer(turn.db, turn.person.id, open_only=True)
    if not found:
        return None
    named = _NUMBER.search(turn.text)
    if named:
        hit = [t for t in found if t.number.upper() == named.group(0).upper()]
        if hit:
            return hit[0]
    return found[0] if len(found) == 1 else found


async def request(turn: Turn) -> Reply | None:
    """A change or a cancellation asked for; None when the message asks neither or the
    customer has no open ticket (the rest of the dialog answers it then)."""
    cancel = asks_to_cancel(turn.text)
    if not cancel and not asks_to_reschedule(turn):
        return None
    target = await _ticket(turn)
    if target is None:
        return None
    if isinstance(target, list):
        lines = "\n".join(f"· {_describe(t, turn)}" for t in target)
        return Reply(
            text=f"您有几张服务单，要改哪一张？请回复单号：\n{lines}", intent="booking_change"
        )
    if target.status in UNDER_WAY:
        want = "取消" if cancel else "改时间"
        return await complaint.for_a_reason(
            turn,
            f"顾客想{want} {target.number}，师傅已{'到' if target.status == 'arrived' else '在路上'}",
            opening="师傅已经在路上了，我请店里同事马上联系您处理，",
        )
    if cancel:
        turn.state[PENDING] = {"ticket": target.id, "action": "cancel"}
        return Reply(
            text=f"要取消这张服务单吗？\n{_describe(target, turn)}\n回复“是”取消，回复“不”保留。",
            intent="booking_change",
        )
    window = _move_window(turn)
    if window is None:
        turn.state[PENDING] = {"ticket": target.id, "action": "reschedule"}
        return Reply(
            text=f"好的，{target.number} 想改到什么时候？比如“后天上午”“周六下午3点”。",
            intent="booking_change",
        )
    return _propose(turn, target, window)


def _propose(turn: Turn, ticket: ServiceTicket, window: dict[str, Any]) -> Reply:
    problem = ex.valid_window(turn, window)
    if problem:
        turn.state[PENDING] = {"ticket": ticket.id, "action": "reschedule"}
        return Reply(text=problem, intent="booking_change")
    turn.state[PENDING] = {"ticket": ticket.id, "action": "reschedule", "window": window}
    new = ex.show_window(window, turn.tz)
    return Reply(
        text=f"把服务单 {ticket.number} 的上门时间从 {_when(ticket, turn)} 改到 {new}，"
        "对吗？回复“是”确认。",
        intent="booking_change",
    )


_KEEP = re.compile(r"不取消|别取消|不要取消|先不取消|还是来|保留")


def _agrees_to_cancel(pending: dict[str, Any], text: str) -> bool:
    """ "嗯 取消吧" / "取消" to "要取消这张服务单吗？" is a yes, not a no."""
    t = words.norm(text)[:20]
    return pending["action"] == "cancel" and "取消" in t and not _KEEP.search(t)


def _move_window(turn: Turn) -> dict[str, Any] | None:
    """The time the visit is moved to: 「明天来不了 改到周五下午」 means Friday, not tomorrow."""
    move = _MOVE_TO.search(turn.text[:200])
    if move is not None:
        after = [e for e in turn.entities("datetime") if e.start >= move.end()]
        if after:
            try:
                value = ex.window_from_value(turn, after[0].value)
            except ValueError:
                value = None
            if value is not None:
                return value
    return ex.window(turn)


async def follow_up(turn: Turn) -> Reply | None:
    """The answer to the pending change: a time, 是, 不; None (and the change dropped) when
    the customer moved on to something else."""
    pending = turn.state.get(PENDING)
    if not pending:
        return None
    ticket = await turn.db.get(ServiceTicket, int(pending["ticket"]))
    if ticket is None or ticket.status not in tickets.OPEN_STATUSES:
        turn.state.pop(PENDING, None)
        return None
    text = turn.text
    if pending["action"] == "reschedule" and "window" not in pending:
        window = ex.window(turn)
        if window is not None:
            return _propose(turn, ticket, window)
    if (words.is_yes(text) or _agrees_to_cancel(pending, text)) and (
        pending["action"] == "cancel" or "window" in pending
    ):
        turn.state.pop(PENDING, None)
        return await _apply(turn, ticket, pending)
    if words.is_no(text) or words.is_cancel(text) or _KEEP.search(text[:40]):
        turn.state.pop(PENDING, None)
        return Reply(
            text=f"好的，{ticket.number} 保持不变：{_when(ticket, turn)}。", intent="booking_change"
        )
    turn.state.pop(PENDING, None)
    return None


async def _apply(turn: Turn, ticket: ServiceTicket, pending: dict[str, Any]) -> Reply:
    services, db = turn.services, turn.db
    who = customer_label(turn.customer)
    if ticket.status in UNDER_WAY:  # the engineer set off meanwhile
        return await complaint.for_a_reason(
            turn, f"顾客想改约 {ticket.number}，师傅已出发", opening="师傅刚刚出发了，"
        )
    if pending["action"] == "cancel":
        await ticket_dispatch.cancel(
            services, db, ticket, "顾客在公众号取消", "customer", tell_customer=False
        )
        await tell_staff(
            db,
            turn.customer,
            f"【取消预约】{who} 取消了 {ticket.number}",
            idem_key=f"customer-cancel:{ticket.id}",
        )
        return Reply(
            text=f"好的，服务单 {ticket.number} 已取消。需要的时候再跟我说就好～",
            intent="booking_change",
        )
    from datetime import datetime

    window = pending["window"]
    start = datetime.fromisoformat(window["start"])
    end = datetime.fromisoformat(window["end"])
    old = _when(ticket, turn)
    await ticket_dispatch.reschedule(
        services, db, ticket, start, end, "customer", tell_customer=False
    )
    new = _when(ticket, turn)
    await tell_staff(
        db,
        turn.customer,
        f"【顾客改约】{who} 把 {ticket.number} 从 {old} 改到 {new}",
        idem_key=f"customer-reschedule:{ticket.id}:{window['start']}",
    )
    return Reply(
        text=f"改好了～服务单 {ticket.number} 的上门时间是 {new}，师傅会按新时间上门。",
        intent="booking_change",
    )


async def follow_up_step(turn: Turn) -> Reply | None:
    """Middleware: the answer to a change waiting for 是 / 不 / a time."""
    return await follow_up(turn) if turn.state.get(PENDING) else None


async def request_step(turn: Turn) -> Reply | None:
    """Middleware: 「改到后天上午」「取消预约」 with no form under way."""
    return None if turn.state.get("form") else await request(turn)
