"""Trade-in (以旧换新): value the old unit, pick the new one, quote, then apply.

The conversation: old unit's category → brand (optional) → age (years or purchase year) →
working? → condition (好/一般/差) → what instead: category ("还是换空调吗？"), energy grade,
a budget or a catalog model → the quote (old value, subsidy, new price, what they pay; why no
subsidy when none) → address → phone → confirm → one visit ticket (kind ``trade_in``) that
removes the old unit and installs the new one, a ``trade_in_requests`` row with the same
number, and the guide told on WeCom.
"""

from __future__ import annotations

import re
from typing import Any

from bot.dialog import extractors as ex
from bot.dialog import validators, words
from bot.dialog.forms import Form, Reask, Slot, Turn
from bot.dialog.router import Router
from bot.nlu.numerals import to_int
from handlers.catalog import Catalog
from handlers.common import customer_label, remember_contact, tell_staff
from handlers.money import parse_amount_fen, yuan
from handlers.trade_in_quote import GRADE_WORDS, NewUnit, OldUnit, Quote, QuoteError, quote
from storage.models import Device
from storage.repos import devices, tickets, trade_ins

OLD_DEVICE = "_old_device"  # a registered unit offered as the old one (scratch, in the slots)

NUM = r"(\d{1,4}|[零一二两三四五六七八九十]{1,3})"
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年?")
_YEARS = re.compile(NUM + r"\s*(?:多\s*)?年")
_SHORT_YEAR = re.compile(r"(?<![\d年])(\d{2})\s*年\s*(?:的时候\s*)?(?:买|购|入手|装|安装)")
_ABOUT_YEARS = re.compile(r"(\d{1,2}|[一二两三四五六七八九十]{1,2})\s*(?:来|几|多)\s*年")
_GRADE = re.compile(r"([1-5一二三四五])\s*级")
_NOT_WORKING = re.compile(
    r"坏|不能用|不好用|用不了|不能正常|不正常|不工作|不制冷|不制热|不转|打不开|开不了|没反应|不行|报废|故障|不能开"
)
_WORKING = re.compile(r"能用|好用|正常|还行|没坏|没问题|能开|在用|可以用")
_WORKING_UNASKED = re.compile(r"能用|好用|能正常|正常用|没坏|能开|在用|可以用|没毛病")
_CONDITION_SAID = re.compile(  # 「外观还行」「成色不错」: how it looks, said in any turn
    r"(?:成色|外观|外表|品相|看着)\s*(?:(?:还|挺|很|蛮|比较|非常|算|都|也)\s*)?"
    r"(好|一般|差|很好|不错|还行|还可以|可以|凑合|不好|很差|旧|新)"
)
_CONDITION = {
    "差": re.compile(r"差|破|旧得|很旧|太旧|锈|划痕多|不好|磕碰|掉漆|发黄"),
    "一般": re.compile(r"一般|还行|凑合|普通|中等|七成|六成|正常|还可以|马马虎虎"),
    "好": re.compile(r"^好|很好|挺好|不错|很新|挺新|九成|八成|崭新|像新|干净|完好|没毛病|好的"),
}
_BUDGET = re.compile(
    r"预算\s*(?:(?:大概|大约|在|是|有)\s*)?([\d.]+\s*[万千kKwW块元]?|[零一二两三四五六七八九十百千万]+)"
    r"|(?<!\d)\d+(?:\.\d+)?\s*(?:块|元|万|千|k|K)"
)
_SAME = re.compile(r"一样|同样|同款|还是|原来|一样的|同类")


def catalog_of(turn: Turn) -> Catalog:
    return Catalog.of(turn.services.settings)


def _categories_in(turn: Turn) -> list[str]:
    """Categories mentioned in this message, in order (NLU entities, else the catalog words)."""
    found = [e.value for e in turn.entities("product_category")]
    if not found:
        cat = catalog_of(turn).find_category(turn.text)
        found = [cat.name] if cat else []
    return found


# --- the old unit -----------------------------------------------------------------------------


async def extract_category(turn: Turn) -> str | None:
    if not turn.may_fill("category"):
        return None
    found = _categories_in(turn)
    if found:
        await _link_registered(turn, found[0])
        return found[0]
    if turn.asked == "category" and not turn.other_intent and 1 <= len(turn.text) <= 8:
        return turn.text  # let the validator say we do not take it
    return None


def valid_category(turn: Turn, value: str) -> str | None:
    catalog = catalog_of(turn)
    if catalog.category(value) is not None:
        return None
    return f"抱歉，暂不回收{value}😥 目前可以回收：{'、'.join(catalog.categories)}。旧的是哪种呢？"


async def _registered_old(turn: Turn) -> Device | None:
    """The customer's oldest registered unit of a category we take (with a purchase date)."""
    catalog = catalog_of(turn)
    regs = [
        d
        for d in await devices.for_customer(turn.db, turn.person.id)
        if d.purchase_date and catalog.category(d.category) is not None
    ]
    return min(regs, key=lambda d: d.purchase_date, default=None)  # type: ignore[arg-type, return-value]


async def _link_registered(turn: Turn, category: str) -> None:
    """ "我那台格力空调…": the customer's registered unit of that category (and brand, when
    named) is the old one, so its brand and age need not be asked."""
    if turn.slots.get(OLD_DEVICE) is not None or "category" in turn.slots:
        return
    brand = turn.entity("brand")
    same_kind = [
        d
        for d in await devices.for_customer(turn.db, turn.person.id)
        if d.purchase_date and d.category == category
    ]
    regs = [d for d in same_kind if brand is None or not d.brand or d.brand == brand.value]
    said_age = _age_from(turn, turn.text, False)
    fits = [d for d in regs if said_age is None or abs(_age_of(turn, d) - said_age) <= 1]
    if fits:
        turn.slots[OLD_DEVICE] = min(fits, key=lambda d: d.purchase_date).id  # type: ignore[arg-type, return-value]
    elif same_kind:  # the message and the record differ: the message wins, the record is noted
        d = min(same_kind, key=lambda d: d.purchase_date)  # type: ignore[arg-type, return-value]
        turn.scratch[RECORD_DIFFERS] = f"{d.purchase_date:%Y}年买的{d.brand or ''}{d.category}"


RECORD_DIFFERS = "_record_differs"  # scratch: the registered unit the customer's words differ from


def _age_of(turn: Turn, d: Device) -> int:
    today, bought = turn.local_now.date(), d.purchase_date
    assert bought is not None
    return today.year - bought.year - ((today.month, today.day) < (bought.month, bought.day))


def _record_note(turn: Turn) -> str:
    """Once, when the customer's words differ from the registered unit: we go by what they
    said and offer to update the record (never both stated as facts)."""
    registered = turn.scratch.get(RECORD_DIFFERS)
    if not registered or turn.scratch.get("_noted"):
        return ""
    turn.scratch["_noted"] = True
    return (
        f"（我们登记的是一台{registered}，和您说的不一样，先按您说的算；"
        "提交后导购会帮您核对并更新登记。）\n"
    )


async def brand_prompt(turn: Turn) -> str:
    return f"{_record_note(turn)}旧机是什么牌子的？不记得可以回复“跳过”。"


async def working_prompt(turn: Turn) -> str:
    device = await _offered_device(turn)
    if device is None or turn.slots.get("age") is None or device.purchase_date is None:
        return f"{_record_note(turn)}现在还能正常使用吗？"
    if abs(_age_of(turn, device) - int(turn.slots["age"])) > 1:  # said 12 years, bought 2020
        turn.scratch[RECORD_DIFFERS] = (
            f"{device.purchase_date:%Y}年买的{device.brand or ''}{device.category}"
        )
        return f"{_record_note(turn)}现在还能正常使用吗？"
    return (
        f"您登记的{device.brand or ''}{device.category}是{device.purchase_date:%Y}年买的，"
        f"用了{turn.slots['age']}年。现在还能正常使用吗？"
    )


async def category_prefill(turn: Turn) -> str | None:
    device = await _registered_old(turn)
    if device is None:
        return None
    turn.slots[OLD_DEVICE] = device.id
    return device.category


async def category_offer(turn: Turn, value: str) -> str:
    device = await _offered_device(turn)
    if device is None:
        return f"是想换掉家里的{value}吗？"
    return (
        f"是想换掉您登记的{device.brand or ''}{device.category}"
        f"（{device.purchase_date:%Y}年买的）吗？不是的话直接告诉我是什么电器～"
    )


async def _offered_device(turn: Turn) -> Device | None:
    """The registered unit we offered, while the category agreed on is still its category."""
    device_id = turn.slots.get(OLD_DEVICE)
    if device_id is None or "category" in turn.state.get("declined", []):
        return None
    device = await devices.get_for_customer(turn.db, turn.person.id, device_id)
    if device is None or turn.slots.get("category", device.category) != device.category:
        return None
    return device


async def brand_prefill(turn: Turn) -> str | None:
    device = await _offered_device(turn)
    return device.brand if device else None


async def age_prefill(turn: Turn) -> int | None:
    device = await _offered_device(turn)
    if device is None or device.purchase_date is None:
        return None
    today = turn.local_now.date()
    bought = device.purchase_date
    return today.year - bought.year - ((today.month, today.day) < (bought.month, bought.day))


def extract_brand(turn: Turn) -> str | None:
    if not turn.may_fill("brand"):
        return None
    ent = turn.entity("brand")
    if ent is not None:
        return ent.value
    if turn.asked == "brand" and not turn.other_intent and 1 <= len(turn.text) <= 10:
        return turn.text.removesuffix("的")
    return None


def _age_from(turn: Turn, text: str, asked: bool) -> int | None:
    this_year = turn.local_now.year
    if re.search(r"半年|几个月|\d+个月|刚买|今年买", text):
        return 0
    for word, years in (("大前年", 3), ("前年", 2), ("去年", 1)):
        if word in text:
            return years
    m = _YEAR.search(text)
    if m and (asked or "年" in text):
        return this_year - int(m.group(1))
    m = _SHORT_YEAR.search(text)  # "19年买的": a purchase year, not 19 years
    if m:
        year = 2000 + int(m.group(1))
        return this_year - (year if year <= this_year else year - 100)
    m = _ABOUT_YEARS.search(text)  # "十来年", "十几年", "五年多"
    if m and (n := to_int(m.group(1))) is not None:
        return n
    m = _YEARS.search(text)
    if m and (n := to_int(m.group(1))) is not None:
        return n
    if asked and (n := to_int(text.strip("年。.左右吧大概差不多"))) is not None:
        return this_year - n if n >= 1900 else n
    return None


def extract_age(turn: Turn) -> int | None:
    if not turn.may_fill("age"):
        return None
    return _age_from(turn, turn.text, turn.asked == "age")


def valid_age(turn: Turn, value: int) -> str | None:
    if value < 0:
        return "购买年份不能晚于今年哦，是哪一年买的？"
    if value > 30:
        return "用了这么久呀！请再确认一下用了几年，比如“12年”或“2014年买的”。"
    return None


def extract_working(turn: Turn) -> bool | None:
    if not turn.may_fill("working"):
        return None
    text = _CONDITION_SAID.sub("", turn.text)  # 「外观还行」 is how it looks, not whether it works
    if _NOT_WORKING.search(text):
        return False
    if (_WORKING if turn.asked == "working" else _WORKING_UNASKED).search(text):
        return True
    if turn.asked == "working":
        if re.match(r"(不能|不可以|不会|没法)", text):
            return False
        if words.is_yes(text) or words.norm(text) in ("能", "能的", "会", "可以的"):
            return True
        if words.is_no(text):
            return False
    return None


def _restates(turn: Turn) -> bool:
    """The message only says again what we already know (the age, whether it works)."""
    s, text = turn.slots, turn.text
    if "age" in s and turn.asked != "age" and _age_from(turn, text, False) == s["age"]:
        return True
    return (
        "working" in s
        and turn.asked != "working"
        and bool(_NOT_WORKING.search(text) or _WORKING.search(text))
    )


def working_aside(turn: Turn) -> str | None:
    """The age said again while we ask whether it works: heard, and the question stays."""
    if not _restates(turn):
        return None
    return f"好的，用了{turn.slots.get('age')}年，记下了。现在还能正常使用吗？"


def extract_condition(turn: Turn) -> str | None:
    text = turn.text
    m = _CONDITION_SAID.search(text)
    if m:
        word = m.group(1)
        return (
            "好"
            if word in ("好", "很好", "不错", "新")
            else "差"
            if word in ("差", "不好", "很差", "旧")
            else "一般"
        )
    if turn.asked != "condition":
        return None
    n = ex.pick_number(text, 3)
    if n is not None:
        return ("好", "一般", "差")[n - 1]
    for name, pattern in _CONDITION.items():
        if pattern.search(text):
            return name
    return None


def condition_aside(turn: Turn) -> str | None:
    """「坏了 不能用了」 again while we ask how it looks: heard, and the question stays."""
    if not _restates(turn):
        return None
    if "working" in turn.slots:
        works = "还能用" if turn.slots["working"] else "已经不能用了"
        heard = f"旧机{works}"
    else:
        heard = f"用了{turn.slots.get('age')}年"
    return f"好的，{heard}，记下了。外观成色怎么样？回复：1.好  2.一般  3.差"


# --- the new unit -----------------------------------------------------------------------------


def extract_new_category(turn: Turn) -> str | None:
    found = _categories_in(turn)
    if len(found) >= 2:
        return found[-1]  # "旧空调换新冰箱"
    if turn.asked != "new_category":
        text = turn.text.replace("以旧换新", "")
        m = re.search(r"换(?:成|个|台|一台|新)?(?:新的)?", text)
        if found and m and text.find(found[0]) > m.start() and "category" in turn.slots:
            return found[0]
        return None
    if found:
        return found[0]
    if _SAME.search(turn.text) and "category" in turn.slots:
        return catalog_of(turn).category(turn.slots["category"]).name
    return None


def valid_new_category(turn: Turn, value: str) -> str | None:
    catalog = catalog_of(turn)
    cat = catalog.category(value)
    if cat is not None and any(m.category == cat.name for m in catalog.models):
        return None
    on_sale = "、".join(dict.fromkeys(m.category for m in catalog.models))
    return f"目前没有在售的{value}新机😥 可以换：{on_sale}。想换哪种？"


def new_category_prefill(turn: Turn) -> str | None:
    chosen = turn.slots.get("new_unit")
    if chosen:
        return chosen["category"]
    old = catalog_of(turn).category(turn.slots.get("category"))
    return old.name if old else None


async def new_category_offer(turn: Turn, value: str) -> str:
    old = catalog_of(turn).category(turn.slots.get("category"))
    if old is not None and old.name == value:
        return f"新机还是换一台{value}吗？"
    return f"新机是换一台{value}吗？"


def extract_grade(turn: Turn) -> int | None:
    m = _GRADE.search(turn.text)
    if m:
        return to_int(m.group(1))
    if turn.asked != "grade":
        return None
    if re.search(r"最省电|最好|最高", turn.text):
        return 1
    if re.search(r"随便|都行|都可以|无所谓|不在乎|不讲究|没要求|看着办", turn.text):
        return 5  # any grade: the unit is then picked by budget alone
    n = ex.pick_number(turn.text, 3)
    return n


def valid_grade(turn: Turn, value: int) -> str | None:
    return None if 1 <= value <= 5 else "能效等级是1-5级，想要几级呢？"


def _grade_needed(turn: Turn) -> bool:
    chosen = turn.slots.get("new_unit")
    return not (chosen and chosen.get("model"))


def grade_prompt(turn: Turn) -> str:
    from handlers.trade_in_quote import policy_on

    policy = policy_on(turn.services.settings, turn.local_now.date())
    hint = ""
    if policy and policy.percent_by_grade:
        parts = [
            f"{GRADE_WORDS.get(g, g)}补{p:g}%" for g, p in sorted(policy.percent_by_grade.items())
        ]
        hint = f"（现在{'、'.join(parts)}）"
    return f"新机想要几级能效？一级最省电，补贴也最多{hint}。"


def _unit_value(m) -> dict[str, Any]:
    return {
        "category": m.category,
        "brand": m.brand,
        "model": m.model,
        "energy_grade": m.energy_grade,
        "price_fen": m.price_fen,
    }


def _listed(turn: Turn) -> list[Any]:
    """The models the new-unit question lists (at most four)."""
    category = turn.slots.get("new_category")
    grade = turn.slots.get("grade")
    return [
        m
        for m in catalog_of(turn).models
        if m.category == category and (grade is None or m.energy_grade <= grade)
    ][:4]


def _pointed(turn: Turn) -> Any:
    """ "1" / "第二个" / "海尔那个" / "格力的": a model from the list just shown."""
    listed = _listed(turn)
    if not listed:
        return None
    n = ex.pick_number(turn.text, len(listed))
    if n is not None:
        return listed[n - 1]
    brand = turn.entity("brand")
    if brand is not None and not re.search(r"\d{3,6}", turn.text):
        same = [m for m in listed if m.brand == brand.value]
        if same:
            return min(same, key=lambda m: m.price_fen)
    return None


def extract_new_unit(turn: Turn) -> dict[str, Any] | None:
    catalog = catalog_of(turn)
    model = catalog.find_model(turn.text)
    ent = turn.entity("model")
    if model is None and ent is not None:
        model = catalog.find_model(ent.value)
    asked = turn.asked == "new_unit"
    if model is None and asked:
        model = _pointed(turn)
    if model is not None:
        return _unit_value(model)
    if not turn.slots.get("new_category"):
        return None  # a budget means something once we know what they want
    m = _BUDGET.search(turn.text)
    if m or asked:
        budget = parse_amount_fen((m.group(1) or m.group(0)) if m else turn.text)
        if budget is not None and budget >= 10000:
            return {"budget_fen": budget}
    if asked and re.search(r"随便|都行|推荐|无所谓|不知道|没想好|便宜", turn.text):
        return {"budget_fen": None}
    return None


def valid_new_unit(turn: Turn, value: dict[str, Any]) -> str | None:
    category = turn.slots.get("new_category")
    if value.get("model"):
        if category and value["category"] != category:
            return f"{value['brand']} {value['model']}是{value['category']}哦，您想换的是{category}。再说一个型号或预算？"
        return None
    if not category:
        return None  # resolved once the category is known (see submit/quote)
    catalog = catalog_of(turn)
    grade = turn.slots.get("grade")
    picked = catalog.pick_model(category, grade, value.get("budget_fen"))
    if picked is not None:
        return None
    cheapest = catalog.pick_model(category, grade)
    grade_word = f"{GRADE_WORDS.get(grade, grade)}能效的" if grade else ""
    if cheapest is None:
        return f"暂时没有{grade_word}{category}在售😥 可以换个能效等级，比如回复“二级”。"
    return (
        f"{yuan(value['budget_fen'])}以内暂时没有{grade_word}{category}，"
        f"最实惠的是{cheapest.label}，{yuan(cheapest.price_fen)}。可以再说一个预算，或直接说型号～"
    )


def new_unit_prompt(turn: Turn) -> str:
    lines = [
        f"{i}. {m.label}（{GRADE_WORDS.get(m.energy_grade)}能效）{yuan(m.price_fen)}"
        for i, m in enumerate(_listed(turn), 1)
    ]
    if not lines:
        return "预算大概多少？也可以直接说型号。"
    return "预算大概多少？也可以直接说型号，或回复序号：\n在售的有：\n" + "\n".join(lines)


def resolve_unit(turn: Turn) -> dict[str, Any] | None:
    """The chosen new unit as a catalog model (a budget is turned into the best fit)."""
    chosen = turn.slots.get("new_unit")
    if not chosen:
        return None
    if chosen.get("model"):
        return chosen
    picked = catalog_of(turn).pick_model(
        turn.slots["new_category"], turn.slots.get("grade"), chosen.get("budget_fen")
    )
    return _unit_value(picked) if picked else None


# --- the quote --------------------------------------------------------------------------------


def _old(turn: Turn) -> OldUnit:
    s = turn.slots
    return OldUnit(
        category=catalog_of(turn).category(s["category"]).name,
        age_years=int(s["age"]),
        working=bool(s["working"]),
        condition=s["condition"],
        brand=s.get("brand"),
    )


async def current_quote(turn: Turn) -> tuple[dict[str, Any], Quote]:
    """The chosen unit and its quote; :class:`Reask` (``new_unit``) when the choice no longer
    resolves to a unit on sale (e.g. the grade was changed afterwards)."""
    unit = resolve_unit(turn)
    if unit is None:
        raise Reask("new_unit", "这个预算暂时挑不到合适的新机，再说一个预算或型号？")
    new = NewUnit(
        unit["category"], unit["energy_grade"], unit["price_fen"], unit["brand"], unit["model"]
    )
    try:
        q = await quote(
            turn.db,
            turn.services.settings,
            turn.local_now.date(),
            turn.person.id,
            _old(turn),
            new,
        )
    except QuoteError as exc:
        raise Reask("category", str(exc)) from None
    return unit, q


async def _quoted(turn: Turn, then: str) -> str:
    """The quote followed by ``then``; if there is no quote, go back to the slot at fault."""
    try:
        unit, q = await current_quote(turn)
    except Reask as again:
        turn.slots.pop(again.slot, None)
        turn.state["asking"] = again.slot
        turn.state.pop("offer", None)
        return again.message
    return f"{quote_text(turn, unit, q)}\n\n{then}"


def describe_old(s: dict[str, Any]) -> str:
    brand = s.get("brand") or ""
    works = "能正常用" if s.get("working") else "已不能用"
    return f"{brand}{s['category']}，用了{s['age']}年，{works}，成色{s['condition']}"


def describe_new(unit: dict[str, Any]) -> str:
    return f"{unit['brand']} {unit['model']}（{GRADE_WORDS.get(unit['energy_grade'])}能效）"


def quote_text(turn: Turn, unit: dict[str, Any], q: Quote) -> str:
    lines = [
        "估价结果：",
        f"旧机：{describe_old(turn.slots)}",
        f"新机：{describe_new(unit)}",
    ]
    lines += q.lines()
    if q.subsidy_fen and q.policy:
        lines.append(f"（补贴依据：{q.policy.name}）")
    elif q.reasons:
        lines.append("本次不能享受补贴：" + "；".join(q.reasons) + "。")
    return "\n".join(lines)


async def address_prompt(turn: Turn) -> str:
    if "address" in turn.state.get("declined", []):
        return "请问上门地址是？（到门牌号哦）"
    return await _quoted(
        turn,
        "想申请的话，请告诉我上门地址（师傅一次上门：拆走旧机、装好新机）；"
        "只是问问价，回复“算了”就好。",
    )


async def address_offer(turn: Turn, value: str) -> str:
    return await _quoted(
        turn,
        f"想申请的话，还是上门到 {value} 吗？"
        "（师傅一次上门：拆走旧机、装好新机；只是问问价回复“算了”）",
    )


_QUOTE_QUESTION = re.compile(
    r"凑个?整|抹个?零|怎么算|咋算|怎么来的|怎么得出|为什么|为啥|什么意思|啥意思|便宜|优惠|打折|折扣|少点|少一点|贵了|太贵"
)
_APPLY = re.compile(r"申请|办理|就这个|就这款|就它|下单|定了|要了|办吧|换吧|^(?:行|好|可以|嗯|ok)")


def extract_address(turn: Turn) -> str | None:
    """An address; when not asked for, only one that looks like one (not "1 2" read as "12").
    At the address step a question about the quote ("这个补贴怎么算的", "能便宜点吗") or a
    yes to applying is no address: :func:`address_aside` answers it."""
    value = ex.address(turn)
    if value is not None and turn.asked != "address" and len(value) < 6:
        return None
    if turn.asked == "address" and (value is None or not validators.looks_like_address(value)):
        if _QUOTE_QUESTION.search(turn.text):
            return None
        if _APPLY.search(turn.text):  # "行 就申请吧": yes to applying, the address still to come
            offer = turn.state.get("offer") or {}
            return offer.get("value") if offer.get("slot") == "address" else None
    return value


async def address_aside(turn: Turn) -> str | None:
    """At the address step: how the quote was made, or where to send the engineer."""
    if _QUOTE_QUESTION.search(turn.text):
        return await explain_quote(turn)
    if _APPLY.search(turn.text):
        return "好的～请告诉我上门地址（到门牌号哦），师傅一次上门：拆走旧机、装好新机。"
    return None


async def explain_quote(turn: Turn) -> str:
    """How the bill was made: old value (age, condition, brand), subsidy (policy, %, cap)."""
    try:
        unit, q = await current_quote(turn)
    except Reask as again:
        return again.message
    s = turn.slots
    lines = [
        f"旧机抵扣{yuan(q.old_value_fen)}：按{s['category']}的回收基准价，"
        f"按用了{s['age']}年、成色{s['condition']}"
        + ("、已不能用" if not s.get("working") else "")
        + "折算。"
    ]
    if q.subsidy_fen and q.policy:
        pct = q.policy.percent_by_grade.get(unit["energy_grade"])
        pct_text = f"{pct:g}%" if pct is not None else ""
        cap = f"，每台最多{yuan(q.policy.cap_fen)}" if q.policy.cap_fen else ""
        lines.append(
            f"政府补贴{yuan(q.subsidy_fen)}：{q.policy.name}，"
            f"{GRADE_WORDS.get(unit['energy_grade'])}能效新机按售价的{pct_text}补贴{cap}。"
        )
    elif q.reasons:
        lines.append("本次不能享受补贴：" + "；".join(q.reasons) + "。")
    lines.append(
        "价格和补贴都按统一标准算，想再问优惠的话，申请后导购会联系您，可以当面聊～"
        if re.search(r"便宜|优惠|打折|折扣|少|贵|凑|整", turn.text)
        else f"合计您需支付{yuan(q.pay_fen)}。"
    )
    lines.append("想申请的话，请告诉我上门地址；只是问问价，回复“算了”就好。")
    return "\n".join(lines)


async def valid_address(turn: Turn, value: str) -> str | None:
    return validators.address(turn, value)


async def address_prefill(turn: Turn) -> str | None:
    return turn.customer.address or await tickets.last_address(turn.db, turn.person.id)


async def confirm(turn: Turn) -> str:
    try:
        unit, q = await current_quote(turn)
    except Reask as again:
        turn.slots.pop(again.slot, None)
        turn.state["asking"] = again.slot
        return again.message
    s = turn.slots
    return (
        "请核对一下以旧换新申请：\n"
        f"旧机：{describe_old(s)}\n"
        f"新机：{describe_new(unit)}\n"
        f"您需支付：{yuan(q.pay_fen)}（已抵扣旧机{yuan(q.old_value_fen)}"
        + (f"、补贴{yuan(q.subsidy_fen)}" if q.subsidy_fen else "")
        + "）\n"
        f"地址：{s['address']}\n电话：{s['phone']}\n"
        "没问题请回复“确认”，要改哪项直接告诉我。"
    )


# --- submit -----------------------------------------------------------------------------------


async def submit(turn: Turn) -> str:
    s = turn.slots
    customer = turn.customer
    existing = await trade_ins.by_source_key(turn.db, turn.source_key)
    if existing is not None:
        return f"申请已经提交过啦，单号 {existing.number}。"
    unit, q = await current_quote(turn)
    old = _old(turn)
    ticket, _ = await tickets.create(
        turn.db,
        kind="trade_in",
        customer_id=customer.id,
        local_day=turn.local_now.date(),
        now=turn.now,
        source_key=f"{turn.source_key}:visit"[-200:],
        category=unit["category"],
        brand=unit["brand"],
        model=unit["model"],
        symptom=f"以旧换新：回收旧{old.category}，安装新{unit['category']}"[:200],
        address=s["address"],
        phone=s["phone"],
        store_id=customer.store_id,
    )
    request = await trade_ins.create(
        turn.db,
        number=ticket.number,
        customer_id=customer.id,
        old_category=old.category,
        old_brand=old.brand,
        old_age_years=old.age_years,
        old_working=old.working,
        old_condition=old.condition,
        new_category=unit["category"],
        new_model=f"{unit['brand']} {unit['model']}",
        new_energy_grade=unit["energy_grade"],
        new_price_fen=q.new_price_fen,
        old_value_fen=q.old_value_fen,
        subsidy_fen=q.subsidy_fen,
        pay_fen=q.pay_fen,
        policy_id=q.policy.id if q.policy else None,
        address=s["address"],
        phone=s["phone"],
        ticket_id=ticket.id,
        source_key=turn.source_key,
        created_at=turn.now,
    )
    await remember_contact(turn.db, turn.customer, s["phone"], s["address"])
    staff_text = "\n".join(
        [
            f"【以旧换新】{request.number}",
            f"客户：{customer_label(customer)} {s['phone']}",
            f"旧机：{describe_old(s)}，估价{yuan(q.old_value_fen)}",
            f"新机：{describe_new(unit)} {yuan(q.new_price_fen)}",
            f"补贴：{yuan(q.subsidy_fen)}"
            + (f"（{q.policy.id}）" if q.subsidy_fen and q.policy else ""),
            f"应付：{yuan(q.pay_fen)}",
            f"地址：{s['address']}",
            *(
                [f"登记信息不一致：登记的是{turn.scratch[RECORD_DIFFERS]}，请核对后更新登记。"]
                if turn.scratch.get(RECORD_DIFFERS)
                else []
            ),
            "请联系客户约上门时间（一次上门：拆旧机+装新机）。",
        ]
    )
    await tell_staff(
        turn.db,
        customer,
        staff_text,
        idem_key=f"trade-in-new:{request.number}",
        payload={"trade_in": request.number, "ticket": ticket.number},
        task=("trade_in_call", f"以旧换新回电约上门：{request.number}"),
        today=turn.local_now.date(),
    )
    return (
        f"以旧换新申请提交好啦！单号 {request.number}\n"
        f"您需支付 {yuan(q.pay_fen)}，导购会尽快联系您约上门时间，"
        f"师傅一次上门：拆走旧{old.category}、装好新{unit['category']}。\n想看进度随时发“进度”～"
    )


FORM = Form(
    name="trade_in",
    title="以旧换新",
    intro="好的，帮您估一下旧机能抵多少钱～",
    slots=[
        Slot(
            "category",
            prompt="您想换掉的旧家电是什么？比如空调、冰箱、洗衣机。",
            extract=extract_category,
            validate=valid_category,
            label="旧机",
            prefill=category_prefill,
            offer=category_offer,
        ),
        Slot(
            "brand",
            prompt=brand_prompt,
            extract=extract_brand,
            optional=True,
            prefill=brand_prefill,
            label="品牌",
        ),
        Slot(
            "age",
            prompt="用了大概几年了？说年数或购买年份都行，比如“5年”或“2019年买的”。",
            extract=extract_age,
            validate=valid_age,
            prefill=age_prefill,
            label="使用年限",
            show=lambda v: f"{v}年",
        ),
        Slot("working", prompt=working_prompt, extract=extract_working, aside=working_aside),
        Slot(
            "condition",
            prompt="外观成色怎么样？回复：1.好  2.一般  3.差",
            extract=extract_condition,
            aside=condition_aside,
            label="外观成色",
        ),
        Slot(
            "new_category",
            prompt="想换一台什么新家电呢？",
            extract=extract_new_category,
            validate=valid_new_category,
            prefill=new_category_prefill,
            offer=new_category_offer,
        ),
        Slot(
            "grade",
            prompt=grade_prompt,
            extract=extract_grade,
            validate=valid_grade,
            required=_grade_needed,
        ),
        Slot("new_unit", prompt=new_unit_prompt, extract=extract_new_unit, validate=valid_new_unit),
        Slot(
            "address",
            prompt=address_prompt,
            extract=extract_address,
            validate=valid_address,
            aside=address_aside,
            prefill=address_prefill,
            offer=address_offer,
        ),
        Slot(
            "phone",
            prompt="请留一个联系电话，方便导购和师傅联系您。",
            extract=ex.phone,
            validate=ex.valid_phone,
            prefill=lambda turn: turn.customer.phone,
        ),
    ],
    submit=submit,
    confirm=confirm,
)


router = Router("trade_in")
router.form(FORM, label="以旧换新", menu=(2, "以旧换新估价"))
