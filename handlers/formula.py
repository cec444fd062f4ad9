"""Reordering a supply used at a known rate (baby formula, 奶粉) inside the reorder form: 「奶粉快
吃完了 再帮我订两罐」 orders the registered product (飞鹤星飞帆3段 800g) by the can, with the
price from ``catalog.supplies``, to the usual address. ``handlers/filters.py`` switches to this
path when the message is about formula, or when the customer has a supply and no purifier.
"""

from __future__ import annotations

import re
from typing import Any

from bot.dialog import extractors as ex
from bot.dialog.forms import Turn
from handlers.money import yuan
from storage.models import Supply
from storage.repos import devices

MODE = "supply"  # scratch key: this reorder is for a supply, not for purifier filters
_FORMULA = re.compile(r"奶粉|配方奶|[一二三四123]段|羊奶粉|米粉|尿不湿|纸尿裤")
_PACK = re.compile(r"罐|桶|盒|袋|包")
_PRODUCT = re.compile(r"奶粉|[一二三四1234]段|\d{2,4}\s*(?:g|克|G)|罐装")


async def supplies(turn: Turn) -> list[Supply]:
    return await devices.supplies_for(turn.db, turn.person.id)


async def wanted(turn: Turn) -> bool:
    """True for a supply reorder (decided once, when the form starts)."""
    return bool(turn.scratch.get(MODE))


async def decide(turn: Turn, has_purifier: bool) -> None:
    """At the start of a reorder: formula named, or a supply and no purifier to order for."""
    named = bool(_FORMULA.search(turn.text))
    if named or (not has_purifier and await supplies(turn)):
        turn.scratch[MODE] = True


def _label(s: Supply) -> str:
    return s.product


async def prefill(turn: Turn) -> str | None:
    regs = await supplies(turn)
    return regs[0].product if len(regs) == 1 else None


async def extract(turn: Turn) -> str | None:
    regs = await supplies(turn)
    if turn.asked == "supply" and regs:
        n = ex.pick_number(turn.text, len(regs))
        if n is not None:
            return regs[n - 1].product
    for s in regs:
        if s.product in turn.text or s.product.split()[0] in turn.text:
            return s.product
    if turn.asked == "supply" and len(turn.text) >= 2:
        # a product we have not registered (the store checks it): it looks like one, or the
        # message says nothing else
        if _PRODUCT.search(turn.text) or not turn.other_intent:
            return turn.text.strip()[:64]
    return None


async def prompt(turn: Turn) -> str:
    regs = await supplies(turn)
    if len(regs) > 1:
        lines = [f"{i}. {_label(s)}" for i, s in enumerate(regs, 1)]
        return "给哪一样补货？\n" + "\n".join(lines) + "\n回复序号就行～"
    return "请告诉我要订的奶粉品牌和段数，比如“飞鹤星飞帆3段 800g”。"


def extract_qty(turn: Turn) -> int | None:
    ent = turn.entity("quantity")
    if ent is not None and (turn.asked == "qty" or _PACK.search(ent.text or "")):
        try:
            return int(ent.value)
        except ValueError:
            return None
    return None


def qty_prompt(turn: Turn) -> str:
    return "需要订几罐？"


def valid_qty(turn: Turn, value: int) -> str | None:
    return None if 1 <= value <= 12 else "一次最多订12罐哦，要几罐？"


def price_fen(turn: Turn, product: str) -> int | None:
    """The price of one pack from ``catalog.supplies`` (a product name, or a part of it)."""
    prices: dict[str, Any] = (turn.services.settings.catalog or {}).get("supplies") or {}
    for name, fen in prices.items():
        if name == product or name in product or product in name:
            return int(fen)
    return None


def items(turn: Turn) -> list[dict[str, Any]]:
    product = str(turn.slots.get("supply") or "")
    qty = int(turn.slots.get("qty") or 1)
    return [{"stage": "supply", "name": product, "qty": qty, "price_fen": price_fen(turn, product)}]


def total(lines: list[dict[str, Any]]) -> int:
    return sum(i["qty"] * (i["price_fen"] or 0) for i in lines)


def confirm(turn: Turn) -> str:
    s = turn.slots
    lines = items(turn)
    known = all(i["price_fen"] is not None for i in lines)
    shown = [
        f"· {i['name']} ×{i['qty']}"
        + (f" {yuan(i['qty'] * i['price_fen'])}" if i["price_fen"] is not None else "")
        for i in lines
    ]
    money = f"合计：{yuan(total(lines))}" if known else "价格：导购确认后告诉您"
    return (
        "请核对一下补货订单：\n"
        + "\n".join(shown)
        + f"\n{money}\n地址：{s['address']}\n电话：{s['phone']}\n"
        "没问题请回复“确认”，要改哪项直接告诉我。"
    )


def done_text(number: str, lines: list[dict[str, Any]]) -> str:
    known = all(i["price_fen"] is not None for i in lines)
    money = f"，合计 {yuan(total(lines))}" if known else "，价格导购会跟您确认"
    return f"下单好啦！订单号 {number}{money}。\n会尽快给您寄出，想看进度随时发“进度”～"
