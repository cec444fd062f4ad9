"""Warranty (查保修 / 办延保): the status of every registered device, then the plans that fit.

``respond`` (intent ``warranty``) answers with the status and a hint; "办延保" / "延保" / "全保"
(shortcuts to ``warranty_plan``) open :data:`FORM`, which lists the plans to pick from.

Units still covered are offered extended warranty (延保 1/2/3 years), older ones a year of full
cover (全保); prices from ``catalog.warranty_plans``. Picking one and confirming writes an
``entitlements`` row *offered* and tells the guide to collect payment; marked paid
(``handlers.store_actions``, subject ``warranty``) it becomes active and moves
``devices.extended_until`` (``handlers.follow_through``).
No devices → how to register one. No plan fits → the status alone.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from bot.dialog import extractors as ex
from bot.dialog.forms import Form, Slot, Turn
from bot.dialog.router import Router
from bot.messages import Reply
from handlers import records
from handlers.catalog import Catalog
from handlers.common import customer_label, tell_staff
from handlers.money import yuan
from handlers.warranty_status import WarrantyStatus, cover_period, plans_for, status
from storage.models import Device
from storage.repos import devices, entitlements

NO_DEVICES = (
    "您还没有登记设备哦。回复“登记”，告诉我品类、品牌、型号和购买日期，就能查保修、办延保啦～"
)


def device_name(d: Device) -> str:
    where = f"{d.location}的" if d.location else ""
    model = f"（{d.model}）" if d.model else ""
    return f"{where}{d.brand or ''}{d.category}{model}"


async def _overview(turn: Turn) -> tuple[list[tuple[Device, WarrantyStatus]], list[dict[str, Any]]]:
    """Each device with its status, and the plans on offer (numbered in this order)."""
    catalog = Catalog.of(turn.services.settings)
    today = turn.local_now.date()
    rows = []
    options: list[dict[str, Any]] = []
    for d in await devices.for_customer(turn.db, turn.person.id):
        cover = await entitlements.active_cover(turn.db, d.id, today)
        st = status(d, today, cover.kind if cover else None)
        rows.append((d, st))
        for plan in plans_for(catalog, st):
            start, end = cover_period(st, plan, today)
            options.append(
                {
                    "device_id": d.id,
                    "device": f"{d.brand or ''}{d.category}",
                    "kind": plan.kind,
                    "years": plan.years,
                    "price_fen": plan.price_fen,
                    "label": plan.label,
                    "from": start.isoformat(),
                    "until": end.isoformat(),
                }
            )
    return rows, options


def _status_lines(rows: list[tuple[Device, WarrantyStatus]]) -> str:
    return "\n".join(f"· {device_name(d)}：{st.text()}" for d, st in rows)


_WANTS_PLAN = re.compile(r"延保|全保|延长保修|保修延长|加保")


def _no_plan_note(turn: Turn, rows: list[tuple[Device, WarrantyStatus]]) -> str:
    """Why a unit out of cover gets no full cover (too old), so the customer is not left
    guessing; with what we can still do for it."""
    max_age = Catalog.of(turn.services.settings).full_cover_max_age
    old = [
        d
        for d, st in rows
        if st.known and not st.in_warranty and max_age is not None and (st.age_years or 0) > max_age
    ]
    if not old:
        return ""
    names = "、".join(f"{d.brand or ''}{d.category}" for d in old)
    return (
        f"\n{names}已用了{max_age}年以上，延保和全保都办不了了😥 "
        "可以约一次上门检测，或者看看以旧换新（回复“以旧换新”估价）。"
    )


async def respond(turn: Turn) -> str | Reply:
    """查保修: every registered device's status, and a hint at the plans that fit.
    Asking for 延保 / 全保 itself ("冰箱延保怎么办") opens the plans right away."""
    rows, options = await _overview(turn)
    if not rows:
        return NO_DEVICES
    if _WANTS_PLAN.search(turn.text):  # "冰箱延保怎么办": the plans, or why there are none
        if not options:
            return await start(turn) or NO_DEVICES
        from bot.dialog.engine import start_form

        return await start_form(turn, FORM, "warranty_plan")
    text = f"您登记的设备：\n{_status_lines(rows)}"
    differs = records.which_one(turn, [d for d, _ in rows])
    if differs:  # 「冰箱买了8年了还在保吗」 about a fridge registered last year: ask which
        return text + differs
    if options:
        kinds = "、".join(dict.fromkeys(o["label"][:2] for o in options))
        cheapest = min(o["price_fen"] for o in options)
        text += f"\n想多一份保障，可以办{kinds}，{yuan(cheapest)}起。回复“办延保”看看方案～"
    return text


async def start(turn: Turn) -> str | None:
    rows, options = await _overview(turn)
    if not rows:
        return NO_DEVICES
    if not options:
        note = _no_plan_note(turn, rows) or "\n需要报修的话直接告诉我～"
        return f"您登记的设备：\n{_status_lines(rows)}{note}"
    return None


async def plan_prompt(turn: Turn) -> str:
    rows, options = await _overview(turn)
    lines = [
        f"{i}. {o['device']} {o['label']} {yuan(o['price_fen'])}" for i, o in enumerate(options, 1)
    ]
    return (
        f"您登记的设备：\n{_status_lines(rows)}\n"
        "可以办理：\n" + "\n".join(lines) + "\n"
        "想办理回复序号；不需要回复“不用了”。"
    )


async def extract_plan(turn: Turn) -> dict[str, Any] | None:
    if turn.asked != "plan":
        return None
    _, options = await _overview(turn)
    n = ex.pick_number(turn.text, len(options))
    if n is not None:
        return options[n - 1]
    m = re.search(r"(延保|全保)\s*([1-3一二两三])?\s*年?", turn.text)
    if m:
        kind = "extended_warranty" if m.group(1) == "延保" else "full_cover"
        years = {"一": 1, "二": 2, "两": 2, "三": 3}.get(m.group(2) or "1") or int(m.group(2))
        matches = [o for o in options if o["kind"] == kind and o["years"] == years]
        if len(matches) == 1:
            return matches[0]
    m = re.search(r"([1-3一二两三])\s*年", turn.text)  # "三年的": the one plan of that length
    if m:
        years = {"一": 1, "二": 2, "两": 2, "三": 3}.get(m.group(1)) or int(m.group(1))
        matches = [o for o in options if o["years"] == years]
        if len(matches) == 1:
            return matches[0]
    return None


def confirm(turn: Turn) -> str:
    o = turn.slots["plan"]
    return (
        f"请核对：{o['device']} {o['label']}，保障期 {o['from']} 至 {o['until']}，"
        f"费用 {yuan(o['price_fen'])}。\n确认办理请回复“确认”。"
    )


async def submit(turn: Turn) -> str:
    o = turn.slots["plan"]
    customer = turn.customer
    device = await devices.get_for_customer(turn.db, customer.id, o["device_id"])
    if device is None:
        return "这台设备好像已经不在您的名下了，请联系人工客服处理。"
    start, end = date.fromisoformat(o["from"]), date.fromisoformat(o["until"])
    await entitlements.create(
        turn.db,
        customer_id=customer.id,
        device_id=device.id,
        kind=o["kind"],
        quantity=1,
        valid_from=start,
        valid_until=end,
        price_fen=o["price_fen"],
        created_at=turn.now,
        status="offered",  # active once the store marks it paid (handlers/follow_through.py)
    )
    await turn.db.flush()
    await tell_staff(
        turn.db,
        customer,
        f"【{o['label']}】客户：{customer_label(customer)}\n设备：{device_name(device)}\n"
        f"保障期：{o['from']} 至 {o['until']}\n请联系客户收款 {yuan(o['price_fen'])}。",
        idem_key=f"plan:{turn.source_key}"[-200:],
        payload={"device_id": device.id, "plan": o["kind"], "years": o["years"]},
    )
    return (
        f"已为您记下：{o['device']} {o['label']}，保障期 {o['from']} 至 {o['until']}。\n"
        f"费用 {yuan(o['price_fen'])}，导购会联系您支付，支付后生效（生效时我会通知您）。"
    )


def plan_show(o: dict[str, Any]) -> str:
    return f"{o['device']} {o['label']} {yuan(o['price_fen'])}"


FORM = Form(
    name="warranty_plan",
    title="办延保",
    start=start,
    slots=[Slot("plan", prompt=plan_prompt, extract=extract_plan, label="方案", show=plan_show)],
    submit=submit,
    confirm=confirm,
)


router = Router("warranty")
router.responder("warranty", label="保修", menu=(3, "查保修"), consequence="harmless")(respond)
router.form(
    FORM,
    label="延保",
    classified=False,
    shortcuts=("办延保", "延保", "办理延保", "买延保", "全保", "办全保"),
)
