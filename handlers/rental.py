"""Renting a refurbished appliance (租赁), in chat.

New rental (intent ``rental``): what (category) → how long (months) → which district → the
units the nearest store has, each with monthly fee, deposit and the total for the term → when
to deliver and install → address → phone → confirm → the unit is claimed (never rented twice),
a contract with its monthly dues, the unit as the customer's device, and an installation
ticket with the visit window (the repair booking's slots and tickets).

续租 (``rental_renew``): which contract → how many more months → confirm.
退租 (``rental_end``): which contract → when to pick it up → address → confirm → a pick-up
ticket; when it is done the contract ends and the unit waits for its inspection
(handlers/rental_ops.py).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from bot.dialog import extractors as ex
from bot.dialog import validators, words
from bot.dialog.forms import Form, Reask, Slot, Turn
from bot.dialog.router import Router
from bot.nlu.numerals import NUM, to_int
from handlers import repair
from handlers.common import customer_label, remember_contact, tell_staff
from handlers.money import yuan
from storage.models import RentalContract, RentalUnit
from storage.repos import devices, rentals, tickets

MAX_MONTHS = 24
OFFERS = "offers"  # scratch: the unit ids offered, in the order shown


def _label(u: RentalUnit | dict[str, Any]) -> str:
    get = u.get if isinstance(u, dict) else lambda k: getattr(u, k)
    model = f"（{get('model')}）" if get("model") else ""
    return f"{get('brand') or ''}{get('category')}{model}"


def _day(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


# --- what, how long, where ---------------------------------------------------------------------


def extract_category(turn: Turn) -> str | None:
    cat = ex.affirmed(turn, "product_category")
    return cat.value if cat else None


async def valid_category(turn: Turn, value: str) -> str | None:
    stocked = await rentals.stocked_categories(turn.db)
    if value in stocked:
        return None
    if not stocked:
        return "抱歉，门店现在没有可以出租的电器了😅 有新货我们会第一时间上架～"
    return f"抱歉，{value}暂时没有可租的😅 现在可以租：{'、'.join(stocked)}。想租哪种？"


async def category_prompt(turn: Turn) -> str:
    stocked = await rentals.stocked_categories(turn.db)
    if stocked:
        return f"想租什么电器呢？现在可以租：{'、'.join(stocked)}。"
    return "想租什么电器呢？比如“空调”“冰箱”。"


_MONTHS = re.compile(rf"({NUM})\s*个\s*(半)?\s*月")
_YEARS = re.compile(r"(?<![\d年])(\d{1,2}|[一二两三])\s*年(半)?(?![级底初])")
_SEASON = re.compile(r"(?:(一|1|两|2)\s{0,3})?个?\s{0,3}季度")  # bounded: linear on hostile text


def extract_months(turn: Turn) -> int | None:
    text = turn.text
    if re.search(r"(?<![一二两三\d])半年", text):
        return 6
    m = _MONTHS.search(text)
    if m and to_int(m.group(1)):
        return to_int(m.group(1)) or None
    m = _YEARS.search(text)
    if m and to_int(m.group(1)):
        return to_int(m.group(1)) * 12 + (6 if m.group(2) else 0)
    m = _SEASON.search(text)
    if m:
        return 3 * (to_int(m.group(1)) if m.group(1) else 1)
    answer = turn.answer_for("months")
    if answer:
        m = re.fullmatch(rf"\s*({NUM})\s*(?:个)?\s*(?:月)?\s*", answer)
        if m and to_int(m.group(1)):
            return to_int(m.group(1))
    return None


def valid_months(turn: Turn, value: int) -> str | None:
    if 1 <= value <= MAX_MONTHS:
        return None
    return f"租期可以是1到{MAX_MONTHS}个月，比如“3个月”“半年”“一年”。"


_DISTRICT = re.compile(r"([\u4e00-\u9fa5]{2,5}?(?:新区|区|县))")


def _district_of(text: str | None) -> str | None:
    m = _DISTRICT.search(text or "")
    return m.group(1).rsplit("市", 1)[-1] if m else None


async def extract_district(turn: Turn) -> str | None:
    addr = turn.entity("address")
    found = _district_of(addr.value if addr else None) or _district_of(turn.text)
    if found and (turn.may_fill("district") or addr is not None):
        return found
    if turn.asked != "district":
        return None
    said = re.sub(r"^(?:我|我们|我家)?(?:在|住在|住)", "", turn.text).strip(" ，,。")
    if 2 <= len(said) <= 8 and await rentals.stores_near(turn.db, said):
        return said  # a place a store is in ("浦东"), whatever the classifier thinks of it
    answer = turn.answer_for("district")
    if answer:
        answer = re.sub(r"^(?:我|我们|我家)?(?:在|住在|住)", "", answer).strip(" ，,。")
        if 2 <= len(answer) <= 10 and not re.search(r"\d", answer):
            return answer
    return None


# --- the offer ---------------------------------------------------------------------------------


async def _offers(turn: Turn) -> list[tuple[RentalUnit, str]]:
    near = await rentals.stores_near(turn.db, turn.slots.get("district") or "")
    return await rentals.offer(turn.db, turn.slots["category"], near)


def _terms(fee: int, deposit: int, months: int) -> str:
    return f"月租{yuan(fee)}，押金{yuan(deposit)}，{months}个月租金共{yuan(fee * months)}"


async def unit_prompt(turn: Turn) -> str:
    offers = await _offers(turn)
    turn.scratch[OFFERS] = [u.id for u, _ in offers]
    cat, months = turn.slots["category"], turn.slots["months"]
    if not offers:
        return f"抱歉，{cat}刚好都租出去了😅 换一种电器试试？不租了回复“取消”。"
    lines = [
        f"{i}. {_label(u)} {u.grade}级翻新（{store}）\n   {_terms(u.monthly_fee_fen, u.deposit_fen, months)}"
        for i, (u, store) in enumerate(offers, 1)
    ]
    ask = "回复序号选一台～" if len(offers) > 1 else "就租这台吗？回复“1”或“是”～"
    return "这些可以租：\n" + "\n".join(lines) + "\n押金退租验机后退还。" + ask


async def extract_unit(turn: Turn) -> dict[str, Any] | None:
    ids = turn.scratch.get(OFFERS) or []
    if turn.asked != "unit" or not ids:
        return None
    n = ex.pick_number(turn.text, len(ids))
    if n is None and len(ids) == 1 and words.is_yes(turn.text):
        n = 1
    brand = turn.entity("brand")
    if n is None and brand is not None:  # 「海尔那个」: the listed unit of that brand
        listed = [await rentals.unit(turn.db, i) for i in ids]
        same = [i for i, u in enumerate(listed, 1) if u is not None and u.brand == brand.value]
        n = same[0] if len(same) == 1 else None
    if n is None:
        return None
    u = await rentals.unit(turn.db, ids[n - 1])
    if u is None:
        return None
    return {
        "unit_id": u.id,
        "code": u.code,
        "category": u.category,
        "brand": u.brand,
        "model": u.model,
        "grade": u.grade,
        "fee": u.monthly_fee_fen,
        "deposit": u.deposit_fen,
    }


def show_unit(v: dict[str, Any]) -> str:
    return f"{_label(v)} {v['grade']}级翻新（编号{v['code']}）"


def window_prompt(turn: Turn) -> str:
    start, end = turn.services.settings.service.get("hours", ["08:00", "20:00"])
    return f"希望什么时候送货上门安装？比如“明天上午”“周六下午”（上门时间{start}-{end}）。"


async def confirm(turn: Turn) -> str:
    s = turn.slots
    u, months = s["unit"], s["months"]
    start = datetime.fromisoformat(s["window"]["start"]).astimezone(turn.tz).date()
    end = rentals.add_months(start, months)
    return (
        "请核对一下：\n"
        f"租：{show_unit(u)}\n"
        f"租期：{months}个月（{start.month}月{start.day}日至{_day(end)}）\n"
        f"费用：{_terms(u['fee'], u['deposit'], months)}\n"
        f"送装时间：{s['window']['text']}\n"
        f"地址：{s['address']}\n"
        f"电话：{s['phone']}\n"
        "押金和首月租金师傅上门时收取，之后每月到期前提醒您。没问题请回复“确认”，要改哪项直接告诉我。"
    )


async def submit(turn: Turn) -> str:
    s, customer, db = turn.slots, turn.customer, turn.db
    done = await rentals.contract_by_source_key(db, turn.source_key)
    if done is not None:  # the same message again: the contract it made
        return f"已经帮您约好啦（合同号 {done.id}）。想看进度随时发“进度”～"
    chosen = await rentals.unit(db, s["unit"]["unit_id"])
    if chosen is None or not await rentals.claim(db, chosen.id, turn.now):
        turn.scratch.pop(OFFERS, None)
        raise Reask("unit", "哎呀，这台刚刚被别人租走了😅\n" + await unit_prompt(turn))
    window = s["window"]
    start = datetime.fromisoformat(window["start"])
    start_on = start.astimezone(turn.tz).date()
    device = await devices.create(
        db,
        customer_id=customer.id,
        category=chosen.category,
        brand=chosen.brand,
        model=chosen.model,
        install_date=start_on,
        warranty_months=0,
    )
    contract = await rentals.create_contract(
        db,
        customer_id=customer.id,
        unit=chosen,
        start_on=start_on,
        months=s["months"],
        now=turn.now,
        source_key=turn.source_key,
        device_id=device.id,
    )
    ticket, _ = await tickets.create(
        db,
        kind="install",
        customer_id=customer.id,
        local_day=turn.local_now.date(),
        now=turn.now,
        source_key=turn.source_key,
        device_id=device.id,
        category=chosen.category,
        brand=chosen.brand,
        model=chosen.model,
        symptom=f"租赁送货安装（合同{contract.id}，编号{chosen.code}）",
        address=s["address"],
        phone=s["phone"],
        window_start=start,
        window_end=datetime.fromisoformat(window["end"]),
        store_id=chosen.store_id,
    )
    await rentals.link_ticket(db, ticket.id, contract.id, "delivery")
    await remember_contact(db, customer, s["phone"], s["address"])
    when = ex.show_window(window, turn.tz)
    fee, deposit = chosen.monthly_fee_fen, chosen.deposit_fen
    await tell_staff(
        db,
        customer,
        "\n".join(
            [
                f"【租赁送装】{ticket.number}（合同{contract.id}）",
                f"客户：{customer_label(customer)} {s['phone']}",
                f"机器：{show_unit(s['unit'])}",
                f"租期：{contract.months}个月 {contract.start_on}至{contract.end_on}",
                f"收取：押金{yuan(deposit)} + 首月租金{yuan(fee)}",
                f"地址：{s['address']}",
                f"时间：{when}",
            ]
        ),
        idem_key=f"rental-new:{contract.id}",
        payload={"ticket": ticket.number, "contract": contract.id},
    )
    return (
        f"租好啦！合同号 {contract.id}，送装单号 {ticket.number}\n"
        f"师傅会在 {when} 送货上门安装，押金{yuan(deposit)}和首月租金{yuan(fee)}上门时收取。\n"
        f"租期到{_day(contract.end_on)}，每月到期前我会提醒您；"
        "想续租或退租，随时回复“续租”“退租”～"
    )


def _slots() -> list[Slot]:
    return [
        Slot(
            "category",
            prompt=category_prompt,
            extract=extract_category,
            validate=valid_category,
            label="电器",
        ),
        Slot(
            "months",
            prompt="打算租多久呢？比如“3个月”“半年”“一年”。",
            extract=extract_months,
            validate=valid_months,
            label="租期",
            show=lambda v: f"{v}个月",
        ),
        Slot(
            "district",
            prompt="您住在哪个区呢？我看看离您最近的门店有没有现货。",
            extract=extract_district,
            label="区域",
        ),
        Slot("unit", prompt=unit_prompt, extract=extract_unit, label="机器", show=show_unit),
        Slot(
            "window",
            prompt=window_prompt,
            extract=ex.window,
            validate=ex.valid_window,
            label="送装时间",
            show=lambda v: v["text"],
        ),
        Slot(
            "address",
            prompt=repair.address_prompt,
            extract=ex.address,
            validate=validators.address,
            label="地址",
            prefill=repair.address_prefill,
            offer=repair.address_offer,
        ),
        Slot(
            "phone",
            prompt="请留一个联系电话，方便师傅送货前联系您。",
            extract=ex.phone,
            validate=ex.valid_phone,
            label="电话",
            prefill=repair.phone_prefill,
        ),
    ]


async def start(turn: Turn) -> str | None:
    """续租 / 退租 said in other words ("我的租期快到了想续一下") point to the two words."""
    if re.search(r"续租|再租|接着租|续一下", turn.text):
        return "想续租的话，回复“续租”就行，我帮您办～"
    if re.search(r"退租|不租了|不想租|取走|拉走|搬走", turn.text):
        return "想退租的话，回复“退租”，我帮您约师傅上门取回～"
    return None


FORM = Form(
    name="rental",
    title="租赁",
    slots=_slots(),
    submit=submit,
    confirm=confirm,
    intro="好的，帮您看看有什么可以租的～",
    start=start,
)


# --- 续租 / 退租 ---------------------------------------------------------------------------------


async def _live(turn: Turn) -> list[tuple[RentalContract, RentalUnit]]:
    out = []
    for c in await rentals.live_for_customer(turn.db, turn.person.id):
        u = await rentals.unit(turn.db, c.unit_id)
        if u is not None:
            out.append((c, u))
    return out


def _contract_line(c: RentalContract, u: RentalUnit) -> str:
    return f"{_label(u)}（合同{c.id}，到期{_day(c.end_on)}）"


async def contract_prefill(turn: Turn) -> int | None:
    live = await _live(turn)
    if turn.state.get("form") == "rental_end":
        live = [(c, u) for c, u in live if c.status == "active"]
    return live[0][0].id if len(live) == 1 else None


async def contract_prompt(turn: Turn) -> str:
    live = await _live(turn)
    lines = [f"{i}. {_contract_line(c, u)}" for i, (c, u) in enumerate(live, 1)]
    return "您在租的有：\n" + "\n".join(lines) + "\n是哪一台？回复序号～"


async def extract_contract(turn: Turn) -> int | None:
    live = await _live(turn)
    if turn.asked == "contract":
        n = ex.pick_number(turn.text, len(live))
        if n is not None:
            return live[n - 1][0].id
    cat = extract_category(turn)
    matches = [c.id for c, u in live if cat and u.category == cat]
    return matches[0] if len(matches) == 1 else None


async def _no_contract(turn: Turn) -> str | None:
    live = await _live(turn)
    if turn.state.get("form") == "rental_end":
        live = [(c, u) for c, u in live if c.status == "active"]
        if not live and await rentals.live_for_customer(turn.db, turn.person.id):
            return "取回已经约好啦，师傅上门前会先联系您～想看进度发“进度”。"
    if live:
        return None
    return "您现在没有在租的电器哦～想租的话说“想租个空调”就行。"


async def _chosen(turn: Turn) -> tuple[RentalContract, RentalUnit]:
    c = await rentals.contract(turn.db, turn.slots["contract"])
    assert c is not None
    u = await rentals.unit(turn.db, c.unit_id)
    assert u is not None
    return c, u


async def show_contract_for(turn: Turn) -> str:
    c, u = await _chosen(turn)
    return _contract_line(c, u)


async def renew_confirm(turn: Turn) -> str:
    c, u = await _chosen(turn)
    months = turn.slots["months"]
    end = rentals.add_months(c.start_on, c.months + months)
    return (
        f"{_contract_line(c, u)}续租{months}个月，"
        f"到期日改为{_day(end)}，月租{yuan(c.monthly_fee_fen)}不变。\n"
        "确认续租吗？回复“确认”～"
    )


async def renew_submit(turn: Turn) -> str:
    c, u = await _chosen(turn)
    await rentals.renew(turn.db, c, turn.slots["months"])
    await tell_staff(
        turn.db,
        turn.customer,
        f"【租赁续租】合同{c.id} {_label(u)} 续{turn.slots['months']}个月，新到期日{c.end_on}",
        idem_key=f"rental-renew:{c.id}:{c.months}",
    )
    return f"续租好啦！合同{c.id}现在到{_day(c.end_on)}，每月到期前照常提醒您～"


RENEW = Form(
    name="rental_renew",
    title="续租",
    slots=[
        Slot(
            "contract",
            prompt=contract_prompt,
            extract=extract_contract,
            prefill=contract_prefill,
        ),
        Slot(
            "months",
            prompt="续租几个月呢？比如“3个月”“半年”。",
            extract=extract_months,
            validate=valid_months,
        ),
    ],
    submit=renew_submit,
    confirm=renew_confirm,
    start=_no_contract,
)


def pickup_window_prompt(turn: Turn) -> str:
    start, end = turn.services.settings.service.get("hours", ["08:00", "20:00"])
    return f"什么时候方便师傅上门取回呢？比如“周六上午”（上门时间{start}-{end}）。"


async def end_confirm(turn: Turn) -> str:
    c, u = await _chosen(turn)
    s = turn.slots
    return (
        f"退租：{_contract_line(c, u)}\n"
        f"取回时间：{s['window']['text']}\n地址：{s['address']}\n"
        f"押金{yuan(c.deposit_fen)}在取回验机后退还。确认退租吗？回复“确认”～"
    )


async def end_submit(turn: Turn) -> str:
    from handlers import rental_ops

    c, u = await _chosen(turn)
    s = turn.slots
    ticket = await rental_ops.book_pickup(turn, c, u, s["window"], s["address"], s["phone"])
    when = ex.show_window(s["window"], turn.tz)
    return (
        f"好的，取回已约好，单号 {ticket.number}\n"
        f"师傅会在 {when} 上门取回{_label(u)}，验机后退还押金{yuan(c.deposit_fen)}。"
        "感谢您这段时间的使用～"
    )


END = Form(
    name="rental_end",
    title="退租",
    slots=[
        Slot(
            "contract",
            prompt=contract_prompt,
            extract=extract_contract,
            prefill=contract_prefill,
        ),
        Slot(
            "window",
            prompt=pickup_window_prompt,
            extract=ex.window,
            validate=ex.valid_window,
            show=lambda v: v["text"],
        ),
        Slot(
            "address",
            prompt="请问到哪里取回呢？（到门牌号哦）",
            extract=ex.address,
            validate=validators.address,
            prefill=repair.address_prefill,
            offer="还是到 {value} 取回吗？",
        ),
        Slot(
            "phone",
            prompt="请留一个联系电话～",
            extract=ex.phone,
            validate=ex.valid_phone,
            prefill=repair.phone_prefill,
        ),
    ],
    submit=end_submit,
    confirm=end_confirm,
    start=_no_contract,
)


router = Router("rental")
router.form(FORM, label="租赁", menu=(2, "租家电（短租长租都行）"))
router.form(
    RENEW,
    label="续租",
    classified=False,
    shortcuts=("续租", "我要续租", "我想续租"),
    prefixes=("续租",),
)
router.form(
    END,
    label="退租",
    classified=False,
    shortcuts=("退租", "我要退租", "我想退租", "不租了"),
    prefixes=("退租",),
)
