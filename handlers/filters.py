"""Filter reorder (买滤芯): find the purifier, propose the stages that are due, take the order.

The conversation: the customer's registered purifier (one → used; several → "哪台？"; none →
"型号是？", an unknown model → say so and offer a person) → the stages, the due ones proposed
with prices ("好" takes them, numbers pick) → how many of each → address → phone → fitting at
home? → confirm → a ``consumable_orders`` row (F20261125-0001) and the guide told.
When the cartridges are fitted, :func:`order_fitted` records the replacement, which moves the
next due date (and so the next reminder).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialog import extractors as ex
from bot.dialog import validators, words
from bot.dialog.forms import Form, Slot, Turn
from bot.dialog.router import Router
from bot.nlu.numerals import to_int
from handlers import formula
from handlers.catalog import Catalog
from handlers.common import customer_label, tell_staff
from handlers.filter_schedule import StageDue, device_schedule, record_replacement, schedule
from handlers.money import yuan
from storage.models import ConsumableOrder, Device
from storage.repos import customers, devices, orders, tickets

CATEGORY = "净水器"
_NUMS = re.compile(r"\d+|[一二两三四五六七八九]")
_NOT_NUMBERS = re.compile(r"一起|一块|一下|一样|一共|一点|一套|统一|一次")  # "一起换" is not "1"


def catalog_of(turn: Turn) -> Catalog:
    return Catalog.of(turn.services.settings)


async def _purifiers(turn: Turn) -> list[Device]:
    return await devices.for_customer(turn.db, turn.person.id, category=CATEGORY)


def _label(d: Device) -> str:
    where = f"{d.location}的" if d.location else ""
    model = f"（{d.model}）" if d.model else ""
    return f"{where}{d.brand or ''}净水器{model}"


# --- which purifier ---------------------------------------------------------------------------


async def start(turn: Turn) -> str | None:
    """Formula (or another supply) named, or nothing but a supply registered: that reorder
    (handlers/formula.py). A single registered purifier we know nothing about: say so now,
    offer a person."""
    regs = await _purifiers(turn)
    await formula.decide(turn, has_purifier=bool(regs))
    if _supply(turn):
        return None
    if len(regs) == 1:
        d = regs[0]
        if catalog_of(turn).purifier(d.model) is None and not d.stages:
            turn.state["offered_human"] = True
            return (
                f"您登记的{_label(d)}暂时没有滤芯资料😥 "
                "需要的话我帮您转人工客服查一下，回复“是”就转。"
            )
    return None


def _supply(turn: Turn) -> bool:
    return bool(turn.scratch.get(formula.MODE))


def _filters(turn: Turn) -> bool:
    return not _supply(turn)


async def _has_purifier(turn: Turn) -> bool:
    return _filters(turn) and bool(await _purifiers(turn))


async def _no_purifier(turn: Turn) -> bool:
    return _filters(turn) and not await _purifiers(turn)


def _qty_extract(turn: Turn) -> int | None:
    return formula.extract_qty(turn) if _supply(turn) else extract_qty(turn)


async def _qty_prompt(turn: Turn) -> str:
    return formula.qty_prompt(turn) if _supply(turn) else await qty_prompt(turn)


def _qty_valid(turn: Turn, value: int) -> str | None:
    return formula.valid_qty(turn, value) if _supply(turn) else valid_qty(turn, value)


async def device_prefill(turn: Turn) -> int | None:
    regs = await _purifiers(turn)
    return regs[0].id if len(regs) == 1 else None


async def extract_device(turn: Turn) -> int | None:
    regs = await _purifiers(turn)
    if len(regs) < 2 or (turn.asked != "device" and "device" in turn.slots):
        return None
    if turn.asked == "device":
        n = ex.pick_number(turn.text, len(regs))
        if n is not None:
            return regs[n - 1].id
    for d in regs:
        if d.model and d.model.upper() in turn.text.upper():
            return d.id
        if d.location and d.location in turn.text:
            return d.id
    return None


async def device_prompt(turn: Turn) -> str:
    regs = await _purifiers(turn)
    lines = [f"{i}. {_label(d)}" for i, d in enumerate(regs, 1)]
    return "您登记了几台净水器，给哪台买滤芯？\n" + "\n".join(lines) + "\n回复序号就行～"


def extract_model(turn: Turn) -> str | None:
    catalog = catalog_of(turn)
    found = catalog.find_purifier(turn.text)
    if found is not None:
        return found.model
    ent = turn.entity("model")
    if ent is not None:
        return ent.value
    if turn.asked == "model" and re.search(r"[A-Za-z0-9]{2,}", turn.text) and len(turn.text) <= 30:
        return turn.text.strip()
    return None


def valid_model(turn: Turn, value: str) -> str | None:
    if catalog_of(turn).purifier(value) is not None:
        return None
    turn.state["offered_human"] = True
    return (
        f"暂时没有找到型号“{value}”的滤芯资料😥 可以核对一下型号再发给我"
        "（一般在机身侧面或说明书上）；或回复“是”，我帮您转人工客服。"
    )


MODEL_PROMPT = (
    "没查到您登记的净水器。请告诉我净水器的型号（机身侧面或说明书上），比如 MRO1891-400G。"
)


# --- which stages -----------------------------------------------------------------------------


async def _device(turn: Turn) -> Device | None:
    device_id = turn.slots.get("device")
    if device_id is None:
        return None
    return await devices.get_for_customer(turn.db, turn.person.id, device_id)


async def stages_of(turn: Turn) -> list[StageDue]:
    """Every stage of the purifier in hand, with due flags and prices."""
    catalog = catalog_of(turn)
    today = turn.local_now.date()
    device = await _device(turn)
    if device is not None:
        return device_schedule(catalog, device, today)
    purifier = catalog.purifier(turn.slots.get("model"))
    return schedule(purifier, [], None, today, catalog.filter_due_ahead_days) if purifier else []


async def extract_stages(turn: Turn) -> list[str] | None:
    if turn.asked != "stages":
        return None
    stages = [s for s in await stages_of(turn) if s.price_fen is not None]
    text = words.norm(turn.text)
    if re.search(r"全部|都要|全要|全套|所有|一套", text):
        return [s.key for s in stages]
    due = [s.key for s in stages if s.due]
    if words.is_yes(turn.text) and due:
        return due
    picked: list[str] = []
    for m in _NUMS.finditer(_NOT_NUMBERS.sub("", turn.text)):
        token = m.group(0)
        n = to_int(token)
        # "13" with fewer than ten stages means 1 and 3
        numbers = [int(c) for c in token] if token.isdigit() and (n or 0) > len(stages) else [n]
        for k in numbers:
            if k is not None and 1 <= k <= len(stages) and stages[k - 1].key not in picked:
                picked.append(stages[k - 1].key)
    if picked:
        return picked
    named = [s.key for s in stages if _names_stage(s, turn.text)]
    if named and due and _ALSO.search(turn.text):  # "RO膜也一起换了吧": the due ones, and these
        return due + [k for k in named if k not in due]
    return named or None


_ALSO = re.compile(r"也|一起|一块|顺便|加上|再加|还有|连同")
_STAGE_WORDS = {
    "pp": re.compile(r"pp|p棉|棉", re.I),
    "carbon": re.compile(r"(?<!后置)(?:活性炭|碳|炭)"),
    "ro": re.compile(r"ro|反渗透|膜", re.I),
    "post": re.compile(r"后置"),
}


def _names_stage(stage: StageDue, text: str) -> bool:
    """ "RO膜", "活性炭", "pp棉": the stage's name, its key, or a word customers use for it."""
    if stage.name in text or stage.key.upper() in text.upper():
        return True
    pattern = _STAGE_WORDS.get(stage.key)
    return bool(pattern and pattern.search(text))


async def qty_prompt(turn: Turn) -> str:
    picked = turn.slots.get("stages") or []
    names = {s.key: s.name for s in await stages_of(turn)}
    chosen = "、".join(names.get(k, k) for k in picked)
    head = f"好的，{chosen}。" if chosen else ""
    return f"{head}每样各要几支？回复数字就行，一般各1支。"


_ASKS_LIFE = re.compile(r"多久换|多长时间换|几个月换|多久一换|寿命|能用多久|用多久")


def _lives(stages: list[StageDue]) -> str:
    """ "一般PP棉滤芯6个月、活性炭滤芯12个月…换一次" for "滤芯多久换一次"."""
    parts = [f"{s.name}{round(s.life_days / 30.4)}个月" for s in stages]
    return "一般" + "、".join(parts) + "换一次。\n"


_ASKS_WHEN = re.compile(r"上次|上回|什么时候换|啥时候换|哪天换|多久没换|换过")


def _history(stages: list[StageDue], today: date) -> str:
    """When each stage was last replaced (or fitted), for "上次换滤芯是什么时候"."""
    parts = [
        f"{s.name} {s.last_replaced_on.month}月{s.last_replaced_on.day}日"
        if s.last_replaced_on and s.last_replaced_on.year == today.year
        else f"{s.name} {s.last_replaced_on:%Y年%-m月%-d日}"
        if s.last_replaced_on
        else f"{s.name} 未记录"
        for s in stages
    ]
    return "上次更换：" + "，".join(parts) + "。\n"


async def stages_prompt(turn: Turn) -> str:
    stages = [s for s in await stages_of(turn) if s.price_fen is not None]
    device = await _device(turn)
    lines = [f"{i}. {s.line()}" for i, s in enumerate(stages, 1)]
    due = [s for s in stages if s.due]
    if device is None:
        plain = [
            f"{i}. {s.name} {yuan(s.price_fen or 0)}（建议{round(s.life_days / 30.4)}个月一换）"
            for i, s in enumerate(stages, 1)
        ]
        return (
            f"{turn.slots.get('model')}的滤芯：\n"
            + "\n".join(plain)
            + "\n要哪几样？回复序号，比如“1 2”；全部都要回复“全部”。"
        )
    head = f"您家{_label(device)}"
    if _ASKS_LIFE.search(turn.text):  # "滤芯多久换一次": each stage's life first
        head = _lives(stages) + head
    if _ASKS_WHEN.search(turn.text):
        head = _history(stages, turn.local_now.date()) + head
    if due:
        names = "、".join(s.name for s in due)
        return (
            f"{head}该换这些了：{names}，共{yuan(sum(s.price_fen or 0 for s in due))}。\n"
            + "\n".join(lines)
            + "\n回复“好”就按该换的下单；也可以回复序号自己挑，比如“1 3”。"
        )
    soon = min(
        (s for s in stages if s.days_left is not None), key=lambda s: s.days_left, default=None
    )
    when = f"最近的是{soon.name}，还有{soon.days_left}天。" if soon else ""
    return (
        f"{head}的滤芯都还没到期哦，{when}到时我会提醒您～\n"
        + "\n".join(lines)
        + "\n现在就想买的话回复序号；不需要回复“算了”。"
    )


# --- quantity, fitting ------------------------------------------------------------------------


def extract_qty(turn: Turn) -> int | None:
    ent = turn.entity("quantity")
    if ent is not None and (turn.asked == "qty" or re.search(r"[支个套份]", ent.text or "")):
        try:
            return int(ent.value)
        except ValueError:
            return None
    if turn.asked != "qty":
        return None
    m = re.search(r"\d+|[一二两三四五六七八九十]+", turn.text)
    if m is None and (words.is_yes(turn.text) or re.search(r"一般|默认|照旧|就行", turn.text)):
        return 1  # "好" / "确认" to "一般各1支": the usual one each
    return to_int(m.group(0)) if m else None


def valid_qty(turn: Turn, value: int) -> str | None:
    return None if 1 <= value <= 10 else "每样最多10支哦，要几支？"


def extract_install(turn: Turn) -> bool | None:
    if turn.asked != "install":
        return None
    text = turn.text
    if re.search(r"自己|不需要|会换", text) or words.is_no(text):
        return False
    if re.search(r"上门|师傅|要|需要|帮我|好", text) or words.is_yes(text):
        return True
    return None


def install_prompt(turn: Turn) -> str:
    fee = catalog_of(turn).filter_install_fee_fen
    price = "免费" if not fee else yuan(fee)
    return f"滤芯到了您自己换，还是师傅上门换（{price}）？回复“自己换”或“上门”。"


def extract_address(turn: Turn) -> str | None:
    """An address; when not asked for, only one that looks like one (not "1 2" read as "12")."""
    value = ex.address(turn)
    if value is not None and turn.asked != "address" and len(value) < 6:
        return None
    return value


async def address_prefill(turn: Turn) -> str | None:
    return turn.customer.address or await tickets.last_address(turn.db, turn.person.id)


# --- confirm, submit --------------------------------------------------------------------------


async def _items(turn: Turn) -> list[dict[str, Any]]:
    qty = int(turn.slots.get("qty") or 1)
    chosen = set(turn.slots.get("stages") or [])
    return [
        {"stage": s.key, "name": s.name, "qty": qty, "price_fen": s.price_fen}
        for s in await stages_of(turn)
        if s.key in chosen and s.price_fen is not None
    ]


def _total(items: list[dict[str, Any]], fee: int) -> int:
    return sum(i["qty"] * i["price_fen"] for i in items) + fee


async def confirm(turn: Turn) -> str:
    if _supply(turn):
        return formula.confirm(turn)
    s = turn.slots
    items = await _items(turn)
    fee = catalog_of(turn).filter_install_fee_fen if s.get("install") else 0
    lines = [f"· {i['name']} ×{i['qty']} {yuan(i['qty'] * i['price_fen'])}" for i in items]
    fit = ("上门安装" + (f" {yuan(fee)}" if fee else "（免费）")) if s.get("install") else "自己换"
    return (
        "请核对一下滤芯订单：\n"
        + "\n".join(lines)
        + f"\n合计：{yuan(_total(items, fee))}\n安装：{fit}\n"
        f"地址：{s['address']}\n电话：{s['phone']}\n"
        "没问题请回复“确认”，要改哪项直接告诉我。"
    )


async def submit(turn: Turn) -> str:
    s = turn.slots
    customer = turn.customer
    supply = _supply(turn)
    items = formula.items(turn) if supply else await _items(turn)
    fee = catalog_of(turn).filter_install_fee_fen if s.get("install") and not supply else 0
    order, created = await orders.create(
        turn.db,
        customer_id=customer.id,
        local_day=turn.local_now.date(),
        source_key=turn.source_key,
        device_id=s.get("device"),
        items=items,
        total_fen=formula.total(items) if supply else _total(items, fee),
        address=s["address"],
        phone=s["phone"],
        with_install=bool(s.get("install")),
        created_at=turn.now,
    )
    if created:
        if not customer.address:
            customer.address = s["address"]
        if not customer.phone and await customers.by_phone(turn.db, s["phone"]) is None:
            customer.phone = s["phone"]
        what = "、".join(f"{i['name']}×{i['qty']}" for i in items)
        if supply:
            await tell_staff(
                turn.db,
                customer,
                f"【补货订单】{order.number}\n客户：{customer_label(customer)} {s['phone']}\n"
                f"商品：{what}\n合计：{yuan(order.total_fen)}\n地址：{s['address']}\n"
                "请确认价格和库存后安排发货。",
                idem_key=f"supply-order:{order.number}",
                payload={"order": order.number},
                task=("order_ship", f"补货发货：{order.number}"),
                today=turn.local_now.date(),
            )
            return formula.done_text(order.number, items)
        model = s.get("model") or (d.model if (d := await _device(turn)) else "")
        await tell_staff(
            turn.db,
            customer,
            "\n".join(
                [
                    f"【滤芯订单】{order.number}",
                    f"客户：{customer_label(customer)} {s['phone']}",
                    f"型号：{model}",
                    f"滤芯：{what}",
                    f"合计：{yuan(order.total_fen)}",
                    f"地址：{s['address']}",
                    "需要上门安装，请约时间。"
                    if order.with_install
                    else "客户自己更换，请安排发货。",
                ]
            ),
            idem_key=f"filter-order:{order.number}",
            payload={"order": order.number},
            task=("order_visit", f"约上门换滤芯：{order.number}")
            if order.with_install
            else ("order_ship", f"滤芯发货：{order.number}"),
            today=turn.local_now.date(),
        )
    if supply:
        return formula.done_text(order.number, items)
    tail = (
        "师傅会先联系您约时间上门换上。"
        if order.with_install
        else "滤芯会尽快寄出，换好后记得冲洗几分钟再喝哦。"
    )
    return f"下单好啦！订单号 {order.number}，合计 {yuan(order.total_fen)}。\n{tail}\n想看进度随时发“进度”～"


async def order_fitted(
    db: AsyncSession, catalog: Catalog, order: ConsumableOrder, on: date
) -> None:
    """The cartridges of ``order`` were fitted on ``on``: close the order and move the stages'
    next due dates (the next reminder follows)."""
    order.status = "done"
    if order.device_id is not None:
        device = await devices.get_for_customer(db, order.customer_id, order.device_id)
        if device is not None:
            await record_replacement(db, catalog, device, [i["stage"] for i in order.items], on)
    await db.flush()


FORM = Form(
    name="filter_reorder",
    title="买滤芯",
    start=start,
    slots=[
        Slot(
            "supply",
            prompt=formula.prompt,
            extract=formula.extract,
            prefill=formula.prefill,
            required=formula.wanted,
        ),
        Slot(
            "device",
            prompt=device_prompt,
            extract=extract_device,
            prefill=device_prefill,
            required=_has_purifier,
        ),
        Slot(
            "model",
            prompt=MODEL_PROMPT,
            extract=extract_model,
            validate=valid_model,
            required=_no_purifier,
        ),
        Slot("stages", prompt=stages_prompt, extract=extract_stages, required=_filters),
        Slot(
            "qty",
            prompt=_qty_prompt,
            extract=_qty_extract,
            validate=_qty_valid,
        ),
        Slot(
            "address",
            prompt="寄到哪里呢？请发一下收货地址（到门牌号哦）。",
            extract=extract_address,
            validate=validators.address,
            prefill=address_prefill,
            offer="还是寄到 {value} 吗？",
        ),
        Slot(
            "phone",
            prompt="请留一个联系电话，方便配送和师傅联系您。",
            extract=ex.phone,
            validate=ex.valid_phone,
            prefill=lambda turn: turn.customer.phone,
        ),
        Slot("install", prompt=install_prompt, extract=extract_install, required=_filters),
    ],
    submit=submit,
    confirm=confirm,
)


router = Router("filters")
router.form(FORM, label="买滤芯", menu=(3, "买滤芯"))
