"""Booking a visit: repair (R…), installation (I…) and cleaning (C…).

The conversation: which device (a registered one, or described: category/brand) → what is
wrong (repairs only) → address ("还是上门到 XX 吗?") → phone → a window (not past, within
``service.booking_horizon_days``, within ``service.hours``) → confirm → a service ticket with
a readable number, its first event, and the store's guide or engineer told on WeCom.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from bot.dialog import extractors as ex
from bot.dialog import validators
from bot.dialog.forms import Form, Slot, Turn
from bot.dialog.router import Router
from handlers import records, rental_ops
from handlers.common import customer_label, remember_contact, tell_staff
from storage.models import Device
from storage.repos import devices, tickets

KIND_WORDS = {"repair": "维修", "install": "安装", "cleaning": "清洗"}
ROOMS = re.compile(r"客厅|餐厅|主卧|次卧|卧室|儿童房|老人房|书房|厨房|卫生间|洗手间|阳台|地下室")


# --- the device -----------------------------------------------------------------------------


def _device_value(d: Device) -> dict[str, Any]:
    return {
        "device_id": d.id,
        "category": d.category,
        "brand": d.brand,
        "model": d.model,
        "location": d.location,
    }


def show_device(v: dict[str, Any]) -> str:
    where = f"{v['location']}的" if v.get("location") else ""
    model = f"（{v['model']}）" if v.get("model") else ""
    return f"{where}{v.get('brand') or ''}{v.get('category') or '电器'}{model}"


PICK = "pick"  # scratch key: the registered devices the person is choosing among


async def _candidates(turn: Turn) -> list[Device]:
    found = await devices.for_customer(turn.db, turn.person.id)
    if turn.state.get("form") == "install":
        found = [d for d in found if d.install_date is None]
    narrowed = turn.scratch.get(PICK)
    if narrowed:
        found = [d for d in found if d.id in narrowed] or found
    return found


async def extract_device(turn: Turn) -> dict[str, Any] | None:
    regs = await _candidates(turn)
    if turn.asked == "device" and regs:
        n = ex.pick_number(turn.text, len(regs))
        if n is not None:
            turn.scratch.pop(PICK, None)
            return _device_value(regs[n - 1])
    cat = ex.affirmed(turn, "product_category")
    brand = ex.affirmed(turn, "brand")
    model = turn.entity("model")
    room = ROOMS.search(turn.text)
    if cat is None and brand is None and model is None:
        if room and turn.asked == "device":
            matches = [d for d in regs if d.location and room.group(0) in d.location]
            if len(matches) == 1:
                return _device_value(matches[0])
        return None
    matches = [
        d
        for d in regs
        if (cat is None or d.category == cat.value)
        and (brand is None or d.brand == brand.value)
        and (model is None or (d.model or "").upper() == model.value.upper())
    ]
    if room and len(matches) > 1:
        matches = [d for d in matches if d.location and room.group(0) in d.location] or matches
    if len(matches) == 1 and turn.asked != "device" and (said := records.differs(turn, matches[0])):
        turn.scratch[DIFFERS] = said  # 「冰箱用了十几年」 and a fridge bought last year: ask
        turn.scratch[SAID_CATEGORY] = cat.value if cat is not None else None
        return None
    if len(matches) == 1:
        turn.scratch.pop(PICK, None)
        return _device_value(matches[0])
    if len(matches) > 1 and cat is not None:  # two registered 空调: ask which one
        turn.scratch[PICK] = [d.id for d in matches]
        return None
    current = turn.slots.get("device")
    if cat is None and current and not current.get("device_id") and not current.get("brand"):
        if brand is not None or model is not None:  # "格力的": completes the described device
            return {
                **current,
                "brand": brand.value if brand else None,
                "model": model.value if model else current.get("model"),
            }
    if cat is None:
        if turn.asked != "device":
            return None
        return {
            "device_id": None,
            "category": turn.scratch.get(SAID_CATEGORY),  # 「不是 是美的的」 after 「冰箱…」
            "brand": brand.value if brand else None,
            "model": model.value if model else None,
            "location": None,
        }
    return {
        "device_id": None,
        "category": cat.value,
        "brand": brand.value if brand else None,
        "model": model.value if model else None,
        "location": room.group(0) if room else None,
    }


def valid_device(turn: Turn, v: dict[str, Any]) -> str | None:
    if v.get("device_id") or v.get("category"):
        return None
    return "是什么电器呢？比如“空调”“热水器”“油烟机”。"


async def device_prefill(turn: Turn) -> dict[str, Any] | None:
    regs = await _candidates(turn)
    return _device_value(regs[0]) if len(regs) == 1 else None


DIFFERS = "_differs"  # scratch: how the message differs from the one registered unit
SAID_CATEGORY = "_said_category"  # scratch: the category said then (kept for the answer)


async def device_offer(turn: Turn, v: dict[str, Any]) -> str:
    said = turn.scratch.get(DIFFERS)
    if said:  # never both as facts: ask which one is meant
        return (
            f"您说的{v.get('category') or '设备'}{said}，我们登记的是{show_device(v)}，是这台吗？"
            "不是的话告诉我是什么牌子的～"
        )
    return f"是您登记的{show_device(v)}吗？"


async def device_prompt(turn: Turn) -> str:
    regs = await _candidates(turn)
    if len(regs) > 1:
        lines = [f"{i}. {show_device(_device_value(d))}" for i, d in enumerate(regs, 1)]
        return "请问是哪台？\n" + "\n".join(lines) + "\n回复序号，或直接说是什么电器～"
    what = KIND_WORDS[turn.state.get("form", "repair")]
    return f"请问需要{what}的是什么电器？比如“格力空调”“美的热水器”。"


# --- symptom, address, phone, window --------------------------------------------------------


def extract_symptom(turn: Turn) -> str | None:
    found = [e.value for e in turn.entities("symptom")]
    if found:
        return "、".join(dict.fromkeys(found))
    text = turn.answer_for("symptom")
    if not text:
        return None
    for ent in turn.parse.entities:  # an address or a phone said instead is no symptom
        if ent.type in ("address", "phone", "datetime"):
            text = text.replace(ent.text, " ")
    text = re.sub(r"[\s，,。.！!？?~～]+", " ", validators.strip_meta(text)).strip()
    if len(text) < 2 or _only_names(turn, text):
        return None
    return text[:200]


def _only_names(turn: Turn, text: str) -> bool:
    """ "格力空调" in answer to "what is wrong?": the appliance again, no problem said."""
    rest = text
    for ent in turn.parse.entities:
        if ent.type in ("brand", "product_category", "model", "quantity"):
            rest = rest.replace(ent.text, "")
    return not re.sub(r"[\s的了啊呀呢吧是我家那个这台部]+", "", rest)


async def symptom_prompt(turn: Turn) -> str:
    device = turn.slots.get("device")
    what = show_device(device) if device else "设备"
    return f"{what}出了什么问题呢？比如“不制冷”“漏水”“显示E1”。"


async def address_prefill(turn: Turn) -> str | None:
    return turn.customer.address or await tickets.last_address(turn.db, turn.person.id)


def _which_device(turn: Turn) -> str:
    """ "好的，是您登记的海尔冰箱。" once, when the message matched a registered unit (so the
    person knows which one the engineer will look at)."""
    device = turn.slots.get("device") or {}
    if not device.get("device_id") or turn.scratch.get("_named"):
        return ""
    turn.scratch["_named"] = True
    return f"是您登记的{show_device(device)}。\n"


async def address_offer(turn: Turn, value: str) -> str:
    return f"{_which_device(turn)}还是上门到 {value} 吗？"


async def address_prompt(turn: Turn) -> str:
    return f"{_which_device(turn)}请问上门地址是？（到门牌号哦）"


def phone_prefill(turn: Turn) -> str | None:
    return turn.customer.phone


def window_prompt(turn: Turn) -> str:
    start, end = turn.services.settings.service.get("hours", ["08:00", "20:00"])
    return f"希望师傅什么时候上门？比如“明天上午”“周六下午3点”（上门时间{start}-{end}）。"


def _is_repair(turn: Turn) -> bool:
    return turn.state.get("form") == "repair"


# --- submit ---------------------------------------------------------------------------------


async def submit(turn: Turn) -> str:
    kind = turn.state["form"]
    s = turn.slots
    device, window = s["device"], s["window"]
    customer = turn.customer
    ticket, created = await tickets.create(
        turn.db,
        kind=kind,
        customer_id=customer.id,
        local_day=turn.local_now.date(),
        now=turn.now,
        source_key=turn.source_key,
        device_id=device.get("device_id"),
        category=device.get("category"),
        brand=device.get("brand"),
        model=device.get("model"),
        symptom=s.get("symptom"),
        address=s["address"],
        phone=s["phone"],
        window_start=datetime.fromisoformat(window["start"]),
        window_end=datetime.fromisoformat(window["end"]),
        store_id=customer.store_id,
    )
    when = ex.show_window(window, turn.tz)
    rental = await rental_ops.flag_repair(turn.db, ticket) if kind == "repair" else None
    if created:
        await remember_contact(turn.db, turn.customer, s["phone"], s["address"])
        what = KIND_WORDS[kind]
        lines = [
            f"【新{what}单】{ticket.number}"
            + (f"（租赁机 合同{rental.id}，免费）" if rental else ""),
            f"客户：{customer_label(customer)} {s['phone']}",
            f"设备：{show_device(device)}",
        ]
        if s.get("symptom"):
            lines.append(f"问题：{s['symptom']}")
        lines += [f"地址：{s['address']}", f"时间：{when}", "请尽快安排师傅～"]
        await tell_staff(
            turn.db,
            customer,
            "\n".join(lines),
            idem_key=f"ticket-new:{ticket.number}",
            payload={"ticket": ticket.number},
        )
    free = "这是租赁的机器，维修免费～\n" if rental else ""
    return (
        f"预约好啦！单号 {ticket.number}\n"
        f"师傅会在 {when} 上门{KIND_WORDS[kind]}，出发前会先给您打电话。\n{free}"
        "想看进度随时发“进度”～"
    )


# --- the three forms --------------------------------------------------------------------------


def _slots() -> list[Slot]:
    return [
        Slot(
            "device",
            prompt=device_prompt,
            extract=extract_device,
            validate=valid_device,
            label="设备",
            show=show_device,
            prefill=device_prefill,
            offer=device_offer,
        ),
        Slot(
            "symptom",
            prompt=symptom_prompt,
            extract=extract_symptom,
            validate=validators.fault,
            label="问题",
            required=_is_repair,
            optional=True,  # "不知道哪坏了" is an answer; the engineer will look
            none_text="师傅上门检查",
        ),
        Slot(
            "address",
            prompt=address_prompt,
            extract=ex.address,
            validate=validators.address,
            label="地址",
            prefill=address_prefill,
            offer=address_offer,
        ),
        Slot(
            "phone",
            prompt="请留一个联系电话，方便师傅上门前联系您。",
            extract=ex.phone,
            validate=ex.valid_phone,
            label="电话",
            prefill=phone_prefill,
        ),
        Slot(
            "window",
            prompt=window_prompt,
            extract=ex.window,
            validate=ex.valid_window,
            label="时间",
            show=lambda v: v["text"],
        ),
    ]


def _form(kind: str, title: str, intro: str) -> Form:
    return Form(name=kind, title=title, slots=_slots(), submit=submit, intro=intro)


REPAIR = _form("repair", "报修", "好的，马上帮您安排师傅上门维修。")
INSTALL = _form("install", "预约安装", "好的，帮您预约上门安装。")
CLEANING = _form("cleaning", "预约清洗", "好的，帮您预约上门清洗。")


router = Router("repair")
router.form(REPAIR, label="报修", menu=(1, "报修"), shortcuts=("约师傅", "约师傅上门", "预约维修"))
router.form(INSTALL, label="安装", menu=(1, "预约安装"))
router.form(CLEANING, label="清洗", menu=(1, "预约清洗"))
