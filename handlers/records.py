"""What the customer says about an appliance (its brand, its age) against what is registered:
when they differ, the bot says so once and goes by what was said or asks which one is meant —
it never states both as facts (「您登记的西门子冰箱是2020年买的，用了12年」)."""

from __future__ import annotations

import re

from bot.dialog.forms import Turn
from storage.models import Device


def age_of(turn: Turn, device: Device) -> int | None:
    """Whole years since the registered purchase date."""
    bought = device.purchase_date
    if bought is None:
        return None
    today = turn.local_now.date()
    return today.year - bought.year - ((today.month, today.day) < (bought.month, bought.day))


def said_age(turn: Turn) -> int | None:
    """The age the message gives (「用了12年」「买了8年」「2015年买的」), or None."""
    from handlers.trade_in import _age_from  # the one reading of ages (trade-in's)

    return _age_from(turn, turn.text, False)


def differs(turn: Turn, device: Device) -> str | None:
    """How the message differs from ``device`` (「买了8年」 against a 2025 purchase; 「美的」
    against a Haier), as a short clause (「用了8年」「是美的的」), or None when it does not."""
    brand = turn.entity("brand")
    if brand is not None and device.brand and brand.value != device.brand:
        return f"是{brand.value}的"
    age, registered = said_age(turn), age_of(turn, device)
    if age is not None and registered is not None and abs(age - registered) > 1:
        return f"用了{age}年" + ("多" if re.search(r"[几来多]\s{0,2}年", turn.text[:200]) else "")
    return None


def which_one(turn: Turn, devices: list[Device]) -> str:
    """A line asking which unit is meant, when the message names a category whose registered
    unit differs from what was said; "" otherwise."""
    cats = {str(e.value) for e in turn.entities("product_category")}
    for d in devices:
        if d.category not in cats:
            continue
        said = differs(turn, d)
        if said is None:
            continue
        year = f"{d.purchase_date:%Y}年买的" if d.purchase_date else "登记的"
        return (
            f"\n您说的{d.category}{said}，和我们登记的这台（{year}{d.brand or ''}{d.category}）不一样："
            f"如果说的是另一台，回复“登记”把它登记上，我再帮您查保修；是登记的这台就按上面的算。"
        )
    return ""
