"""Register a product (登记产品): category, brand, model, purchase date, serial (optional),
invoice photo (optional: an image message's media id is kept on the device).

The warranty length comes from ``catalog.categories.<category>.warranty_months`` (12 when the
category is not in the catalog). The reply says until when the unit is covered.
"""

from __future__ import annotations

import re
from datetime import date

from bot.dialog import words
from bot.dialog.forms import Form, Slot, Turn
from bot.dialog.router import Router
from bot.dialog.routes import grave
from bot.nlu.numerals import to_int
from handlers.catalog import Catalog
from handlers.filter_schedule import device_schedule, next_due
from handlers.warranty_status import status
from storage.repos import devices

_DATE = re.compile(
    r"(?:((?:19|20)\d{2})|(今年|去年|前年))\s*(?:[年.\-/]\s*)?(\d{1,2})\s*月?(?:\s*(\d{1,2})\s*[日号]?)?"
)
_SERIAL = re.compile(
    r"(?:序列号|串号|SN|S/N|机身码|条码)\s*(?:[:：是为]\s*)?([A-Za-z0-9\-]{4,40})", re.I
)


def catalog_of(turn: Turn) -> Catalog:
    return Catalog.of(turn.services.settings)


def extract_category(turn: Turn) -> str | None:
    if not turn.may_fill("category"):
        return None
    ent = turn.entity("product_category")
    if ent is not None:
        return ent.value
    found = catalog_of(turn).find_category(turn.text)
    if found is not None:
        return found.name
    if turn.asked == "category" and not turn.other_intent and 1 <= len(turn.text) <= 8:
        return turn.text
    return None


def valid_category(turn: Turn, value: str) -> str | None:
    catalog = catalog_of(turn)
    if catalog.category(value) is not None or turn.entity("product_category") is not None:
        return None
    return f"是什么电器呢？比如{'、'.join(list(catalog.categories)[:5])}。"


def extract_brand(turn: Turn) -> str | None:
    if not turn.may_fill("brand"):
        return None
    ent = turn.entity("brand")
    if ent is not None:
        return ent.value
    if turn.asked == "brand" and _plain_answer(turn) and 1 <= len(turn.text) <= 12:
        return turn.text.removesuffix("的")
    return None


def _plain_answer(turn: Turn) -> bool:
    """A short answer to the question asked, even when the NLU hears something in it ("老板"
    is a brand of range hoods, not a boss); complaints and asking for a person still go."""
    if not turn.other_intent:
        return True
    return not grave(turn.parse.intent) and len(words.norm(turn.text)) <= 6


def _known_model(turn: Turn, text: str) -> str | None:
    """A model we sell or service, as the catalog spells it ("qr r5 05" → "QR-R5-05")."""
    catalog = catalog_of(turn)
    found = catalog.find_purifier(text) or catalog.find_model(text)
    return found.model if found is not None else None


def extract_model(turn: Turn) -> str | None:
    if not turn.may_fill("model"):
        return None
    known = _known_model(turn, turn.text)
    if known is not None:
        return known
    ent = turn.entity("model")
    if ent is not None:
        return _known_model(turn, ent.value) or ent.value
    if turn.asked == "model" and re.search(r"[A-Za-z0-9]", turn.text) and len(turn.text) <= 40:
        return turn.text.strip().removeprefix("型号").strip(" :：是")
    return None


_LAST_MONTH_DAY = re.compile(r"上个?月\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*[号日]")


def _in_the_past(turn: Turn, day: date) -> date:
    """A purchase is in the past: "20号买的" read forward (next month's 20th) means the last
    20th; "3月5号买的" without a year, the last 5 March."""
    today = turn.local_now.date()
    if day <= today or re.search(r"(?:19|20)\d{2}|今年|明年|下个?月", turn.text):
        return day
    if re.search(r"\d{1,2}\s*月|[一二三四五六七八九十]月", turn.text):
        return day.replace(year=day.year - 1) if not (day.month == 2 and day.day == 29) else day
    month, year = (day.month - 1, day.year) if day.month > 1 else (12, day.year - 1)
    try:
        return day.replace(year=year, month=month)
    except ValueError:
        return day


def _last_month_day(turn: Turn) -> date | None:
    """ "上个月20号买的": that day of last month."""
    m = _LAST_MONTH_DAY.search(turn.text)
    if not m:
        return None
    n = to_int(m.group(1))
    today = turn.local_now.date()
    month, year = (today.month - 1, today.year) if today.month > 1 else (12, today.year - 1)
    try:
        return date(year, month, n) if n else None
    except ValueError:
        return None


def _date_in(turn: Turn) -> date | None:
    last = _last_month_day(turn)
    if last is not None:
        return last
    ent = turn.entity("datetime")
    if ent is not None and re.match(r"\d{4}-\d{2}-\d{2}", ent.value):
        return _in_the_past(turn, date.fromisoformat(ent.value[:10]))
    m = _DATE.search(turn.text)
    if not m:
        return None
    this_year = turn.local_now.year
    year = int(m.group(1)) if m.group(1) else this_year - ("今年", "去年", "前年").index(m.group(2))
    try:
        return date(year, int(m.group(3)), int(m.group(4) or 1))
    except ValueError:
        return None


_YEAR_ONLY = re.compile(
    r"((?:19|20)\d{2})\s*年|(?<!\d)(\d{2})\s*年(?=\s*(?:买|的时候|底|初|年))|(大前年|前年|去年|今年)"
)
_MONTH_ONLY = re.compile(r"([01]?\d|[一二三四五六七八九十]{1,2})\s*月")
YEAR_KEY = "purchase_year"  # a year said without the month (scratch), kept for the next answer


def _year_only(turn: Turn) -> int | None:
    m = _YEAR_ONLY.search(turn.text)
    if not m:
        return None
    this_year = turn.local_now.year
    if m.group(1):
        return int(m.group(1))
    if m.group(2):
        year = 2000 + int(m.group(2))
        return year if year <= this_year else year - 100
    return this_year - ("今年", "去年", "前年", "大前年").index(m.group(3))


def _month_of_known_year(turn: Turn) -> date | None:
    """ "5月" / "五月份" after "前年买的": that month of the year said before (the 1st)."""
    year = turn.scratch.get(YEAR_KEY)
    m = _MONTH_ONLY.search(turn.text)
    if year is None or m is None or turn.asked != "purchase_date":
        return None
    g = m.group(1)
    month = to_int(g)
    if not month or not 1 <= month <= 12:
        return None
    return date(int(year), month, 1)


def extract_purchase_date(turn: Turn) -> str | None:
    if turn.asked != "purchase_date" and "purchase_date" in turn.slots and "买" not in turn.text:
        return None
    found = None
    if not re.search(r"(?:19|20)\d{2}", turn.text):  # "五月份" after "前年买的"
        found = _month_of_known_year(turn)
    found = found or _date_in(turn)
    if found:
        return found.isoformat()
    year = _year_only(turn)
    if year is not None and (turn.asked == "purchase_date" or "买" in turn.text):
        return str(year)  # the month is asked next (see valid_purchase_date)
    return None


def valid_purchase_date(turn: Turn, value: str) -> str | None:
    if len(value) == 4:  # a year alone: the warranty needs the month
        turn.scratch[YEAR_KEY] = int(value)
        if int(value) > turn.local_now.year:
            return "购买日期不能晚于今天哦，是哪天买的？比如“2025年3月15日”。"
        return f"{value}年几月买的呢？说个大概的月份就行，比如“{value}年5月”。"
    day = date.fromisoformat(value)
    if day > turn.local_now.date():
        return "购买日期不能晚于今天哦，是哪天买的？比如“2025年3月15日”。"
    if day.year < 1990:
        return "这个日期好像不太对，是哪天买的？比如“2025年3月15日”。"
    return None


def extract_serial(turn: Turn) -> str | None:
    if turn.asked == "serial":
        m = re.fullmatch(r"\s*([A-Za-z0-9\-]{4,40})\s*", turn.text)
        if m:
            return m.group(1).upper()
    m = _SERIAL.search(turn.text)
    return m.group(1).upper() if m else None


async def valid_serial(turn: Turn, value: str) -> str | None:
    if await devices.by_serial(turn.db, value) is None:
        return None
    return "这个序列号已经登记过了，请核对一下；没有序列号回复“跳过”。"


def extract_invoice(turn: Turn) -> str | None:
    if turn.inbound.kind == "image" and turn.inbound.media_id:
        return turn.inbound.media_id
    return None


async def submit(turn: Turn) -> str:
    s = turn.slots
    catalog = catalog_of(turn)
    cat = catalog.category(s["category"])
    device = await devices.create(
        turn.db,
        customer_id=turn.person.id,
        category=cat.name if cat else s["category"],
        brand=s.get("brand"),
        model=s.get("model"),
        serial=s.get("serial"),
        purchase_date=date.fromisoformat(s["purchase_date"]),
        warranty_months=cat.warranty_months if cat else 12,
        invoice_media_id=s.get("invoice"),
        created_at=turn.now,
    )
    today = turn.local_now.date()
    st = status(device, today)
    name = f"{device.brand or ''}{device.category}" + (
        f"（{device.model}）" if device.model else ""
    )
    lines = [f"登记好啦！{name}", f"保修：{st.text()}"]
    purifier = catalog.purifier(device.model)
    if purifier is not None and device.purchase_date is not None:
        # the filters fitted when it was bought: their reminders count from that day
        for stage in purifier.stages:
            await devices.set_stage_replaced(
                turn.db, device.id, stage.key, stage.name, stage.life_days, device.purchase_date
            )
        await turn.db.refresh(device, ["stages"])
        soon = next_due(device_schedule(catalog, device, today))
        if soon is not None and soon.due_on is not None:
            if soon.due_on <= today:
                lines.append(f"滤芯：{soon.name}已到期，回复“买滤芯”就能下单～")
            else:
                lines.append(f"滤芯：{soon.name}{soon.due_on:%Y-%m-%d}到期，到时我会提醒您～")
    lines.append("以后报修、查保修、买滤芯直接找我就行～")
    return "\n".join(lines)


FORM = Form(
    name="register_product",
    title="登记产品",
    intro="好的，帮您登记一下新买的电器。",
    slots=[
        Slot(
            "category",
            prompt="是什么电器呢？比如空调、冰箱、净水器。",
            extract=extract_category,
            validate=valid_category,
            label="品类",
        ),
        Slot(
            "brand",
            prompt="什么牌子的？不记得可以回复“跳过”。",
            extract=extract_brand,
            optional=True,
            label="品牌",
        ),
        Slot(
            "model",
            prompt="型号是多少？（机身铭牌或包装上，比如 KFR-35GW）不知道可以回复“跳过”。",
            extract=extract_model,
            optional=True,
            label="型号",
        ),
        Slot(
            "purchase_date",
            prompt="哪天买的？比如“2025年3月15日”。",
            extract=extract_purchase_date,
            validate=valid_purchase_date,
            label="购买日期",
        ),
        Slot(
            "serial",
            prompt="机身序列号（SN码）是多少？没有可以回复“跳过”。",
            extract=extract_serial,
            validate=valid_serial,
            optional=True,
            label="序列号",
        ),
        Slot(
            "invoice",
            prompt="有购买发票的话拍照发给我，保修更方便；没有回复“跳过”。",
            extract=extract_invoice,
            optional=True,
            label="发票",
            show=lambda v: "已收到照片",
        ),
    ],
    submit=submit,
)


router = Router("register")
router.form(FORM, label="登记产品", menu=(3, "登记新买的电器"))
