"""Reusable slot extractors and validators: phone, address, service window, a pick from a list.

Each extractor takes the :class:`~bot.dialog.forms.Turn` and returns a JSON-serialisable value
or ``None``; each validator takes (turn, value) and returns a short Chinese error or ``None``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from bot.dialog.forms import Turn
from bot.dialog.words import norm as words_norm
from bot.nlu.numerals import to_int

_MOBILE = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?(1[3-9]\d[\s-]?\d{4}[\s-]?\d{4})(?!\d)")
WEEKDAYS = "一二三四五六日"


# --- phone ----------------------------------------------------------------------------------


def phone(turn: Turn) -> str | None:
    ent = turn.entity("phone")
    if ent is not None:
        return re.sub(r"[^\d-]", "", ent.value).removeprefix("86") or ent.value
    m = _MOBILE.search(turn.text)
    if m:
        return re.sub(r"[\s-]", "", m.group(1))
    spoken = _spoken_digits(turn.text)
    if spoken:
        return spoken
    if turn.answer_for("phone") and re.fullmatch(r"[\d\s+\-]{3,20}", turn.text):
        return re.sub(r"\D", "", turn.text)  # digits that are no phone: the validator says so
    return None


_CN_DIGIT = str.maketrans("零〇洞幺一二三四五六七八九两", "00011234567892")
_SPOKEN = re.compile(r"[零〇洞幺一二两三四五六七八九\d][零〇洞幺一二两三四五六七八九\d\s-]{9,}")


def _spoken_digits(text: str) -> str | None:
    """A mobile said the way voice input writes it: "幺三八 幺二三四 五六七八"."""
    for m in _SPOKEN.finditer(text):
        digits = re.sub(r"[\s-]", "", m.group(0).translate(_CN_DIGIT))
        if re.fullmatch(r"1[3-9]\d{9}", digits) and not m.group(0).isdigit():
            return digits
    return None


def valid_phone(turn: Turn, value: str) -> str | None:
    digits = re.sub(r"\D", "", value)
    if re.fullmatch(r"1[3-9]\d{9}", digits) or re.fullmatch(r"0\d{9,11}", digits):
        return None
    return "这个号码好像不太对，请发一个11位手机号（或带区号的座机）～"


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    d = re.sub(r"\D", "", value)
    return f"{d[:3]}****{d[-4:]}" if len(d) >= 7 else "****"


# --- entities a person takes back ------------------------------------------------------------

_NEGATED = re.compile(r"(?:不是|不要|并非|而非|没有)(?:那个|这个|那台|这台)?\s*$")


def affirmed(turn: Turn, type_: str) -> Any:
    """The first entity of ``type_`` the person does not take back: in "不是空调 是洗衣机"
    that is 洗衣机, not 空调."""
    found = turn.entities(type_)
    text = turn.parse.text or turn.text
    kept = [e for e in found if not _NEGATED.search(_before(text, e))]
    return (kept or found or [None])[0]


def _before(text: str, ent: Any) -> str:
    start = ent.start if ent.start >= 0 else text.find(ent.text)
    return text[max(0, start - 6) : start] if start > 0 else ""


# --- address --------------------------------------------------------------------------------

_ADDR_MARK = re.compile(
    r"省|市|区|县|镇|乡|村|路|街|道|巷|弄|号|栋|幢|楼|座|单元|室|小区|苑|园|府|湾|城|大厦|公寓|花园|家园|新村"
)
_ADDR_LEAD = re.compile(r"^(?:改成|改为|换成|改到|是|在|到)[:：]?\s*")
_ADDR_CHANGE = re.compile(
    r"(?:地址|住址|上门地址)[^，,。\d]{0,4}?(?:改成|改为|换成|改到|是|在)[:：]?\s*(.+)"
)


def address(turn: Turn) -> str | None:
    m = _ADDR_CHANGE.search(turn.text)
    ent = turn.entity("address")
    if m and not (ent is not None and ent.value in m.group(1)):  # "地址是… 电话…": the address
        return _completed(turn, _ADDR_LEAD.sub("", m.group(1)).strip(" ，,。"))
    if ent is not None:
        return _completed(turn, _ADDR_LEAD.sub("", ent.value).strip(" ，,。"))
    if turn.asked == "address" and turn.inbound.kind == "location":
        label = str(turn.inbound.raw.get("Label") or "").strip()
        return label or None
    text = turn.answer_for("address")
    return text.strip() if text and _looks_like_address(turn, text.strip()) else None


_ADMIN_PART = re.compile(r"^.*?(?:省|市|区|县|旗|镇|乡|街道)(?=[^省市区县旗镇乡]*$)")


def _completed(turn: Turn, value: str) -> str:
    """A corrected address said from the street on ("是延安西路1000号") keeps the city and
    district of the one it corrects."""
    old = turn.slots.get("address")
    if not isinstance(old, str) or _ADMIN_PART.match(value) or "address" not in turn.slots:
        return value
    admin = _ADMIN_PART.match(old.split(value[:2])[0]) if value[:2] in old else None
    if admin is None:
        admin = _ADMIN_PART.match(re.split(r"\d", old)[0])
    return f"{admin.group(0)}{value}" if admin else value


_NOT_ADDRESS = ("product_category", "symptom", "datetime", "phone")


def _looks_like_address(turn: Turn, text: str) -> bool:
    """Raw text taken as an address only when it reads like one: a place word (路/号/小区…)
    or a house number, and not a message about the device, the problem or the time
    ("快点!!!", "你们几点下班", "不是空调 是洗衣机" are no addresses)."""
    if len(text) < 2 or any(turn.entities(t) for t in _NOT_ADDRESS):
        return False
    return bool(_ADDR_MARK.search(text) or _PLACE.search(text) or re.search(r"\d", text))


_PLACE = re.compile(r"家|公司|单位|店|学校|宿舍|附近|对面|旁边|隔壁|楼下|门口")


def valid_address(turn: Turn, value: str) -> str | None:
    if len(value) >= 5 and (_ADDR_MARK.search(value) or len(value) >= 8):
        return None
    return "地址再详细一点哦，比如“浦东新区XX路88弄3号501室”。"


# --- the service window ---------------------------------------------------------------------


def _hours(turn: Turn) -> tuple[time, time]:
    start, end = turn.services.settings.service.get("hours", ["08:00", "20:00"])
    return time.fromisoformat(start), time.fromisoformat(end)


def _parse_point(value: str, turn: Turn) -> tuple[datetime, bool]:
    """(aware local datetime, is_date_only)."""
    if len(value) == 10:
        return datetime.combine(date.fromisoformat(value), time(0), turn.tz), True
    dt = datetime.fromisoformat(value)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=turn.tz)
    return dt.astimezone(turn.tz), False


def window_from_value(turn: Turn, value: str) -> dict[str, Any]:
    """An ISO 8601 date, time or "start/end" range → {"start", "end"} (ISO, UTC), clipped to
    service hours and to now where that leaves something; otherwise left as said, for the
    validator to explain."""
    open_t, close_t = _hours(turn)
    day_only = False
    if "/" in value:
        a, b = value.split("/", 1)
        start, a_day = _parse_point(a, turn)
        end, b_day = _parse_point(b, turn)
        if b_day:
            end = end + timedelta(days=1)
        if a_day:
            start = start.replace(hour=open_t.hour, minute=open_t.minute)
    else:
        start, day_only = _parse_point(value, turn)
        if day_only:
            start = start.replace(hour=open_t.hour, minute=open_t.minute)
            end = start.replace(hour=close_t.hour, minute=close_t.minute)
        else:
            end = start + timedelta(hours=2)
            close = start.replace(hour=close_t.hour, minute=close_t.minute)
            if start < close < end:
                end = close
    raw = _win(start, end, turn)
    point = "/" not in value and not day_only
    if point and not (open_t <= start.time() < close_t):
        return raw  # "早上7点" is not "8点": the validator asks again
    # clip to the service hours of the start day, and to the next half hour from now
    day_open = start.replace(hour=open_t.hour, minute=open_t.minute, second=0, microsecond=0)
    day_close = start.replace(hour=close_t.hour, minute=close_t.minute, second=0, microsecond=0)
    s, e = max(start, day_open), min(end, day_close)
    now = turn.local_now
    soon = (now + timedelta(minutes=30)).replace(second=0, microsecond=0)
    soon = soon.replace(minute=0 if soon.minute < 30 else 30)
    if s < soon < e or (s < now and e > soon):
        s = soon
    if s >= e:
        return raw
    return _win(s, e, turn)


def _win(start: datetime, end: datetime, turn: Turn) -> dict[str, Any]:
    value = {"start": start.astimezone(UTC).isoformat(), "end": end.astimezone(UTC).isoformat()}
    value["text"] = show_window(value, turn.tz)
    return value


_VISIT = re.compile(r"[^，。,.]{0,6}?(?:来|上门|过来|派|安排|装|修|洗|看)")


_ASAP = re.compile(
    r"(?:马上|现在|立刻|立即|赶紧|赶快|尽快|今天就)(?:就)?(?:派人|派个人|派师傅|来|过来|上门|安排)|"
    r"越快越好|越早越好|尽快|尽早|越早越|最早|最快|随时(?:都行|都可以|可以|来)|什么时候都(?:行|可以)"
)
_ANY_TIME = re.compile(r"^(?:都行|都可以|都ok|随便|你们定|你们安排|看你们)[吧啊呀的]*$")


def earliest_window(turn: Turn) -> dict[str, Any]:
    """ "越快越好" / "现在马上来": the rest of today if an hour of service is left, else
    tomorrow's service hours."""
    now = turn.local_now
    open_t, close_t = _hours(turn)
    today_close = now.replace(hour=close_t.hour, minute=close_t.minute, second=0, microsecond=0)
    if now + timedelta(hours=1, minutes=30) <= today_close:
        return window_from_value(turn, f"{now.date().isoformat()}/{now.date().isoformat()}")
    tomorrow = (now + timedelta(days=1)).date().isoformat()
    return window_from_value(turn, tomorrow)


# "tmr morning": a few English time words, read as their Chinese
_ENGLISH = {
    "day after tomorrow": "后天",
    "tomorrow": "明天",
    "tmrw": "明天",
    "tmr": "明天",
    "today": "今天",
    "tonight": "今天晚上",
    "this weekend": "这周末",
    "morning": "上午",
    "afternoon": "下午",
    "evening": "晚上",
    "am": "上午",
    "pm": "下午",
}
_ENGLISH_WORD = re.compile(r"\b(?:" + "|".join(sorted(_ENGLISH, key=len, reverse=True)) + r")\b")
# "下周找个时间吧", "这周吧", "过几天": a time to narrow down, not a window
_VAGUE = re.compile(
    r"(下|这|本)(?:个)?(?:周|星期|礼拜)(?![一二三四五六日天末1-7])|过几天|过两天|找个时间|哪天都行"
)


def _english_times(turn: Turn) -> list[Any]:
    text = turn.text[:80].lower()
    if not _ENGLISH_WORD.search(text):
        return []
    from bot.nlu import parse

    said = _ENGLISH_WORD.sub(lambda m: _ENGLISH[m.group(0)], text)
    return parse(said, now=turn.now, tz=turn.tz).all("datetime")


VAGUE_KEY = "_vague_week"  # scratch: "下" after 「下周找个时间吧」, so 「周四下午」 is next week's
_BARE_WEEKDAY = re.compile(r"^(?:周|星期|礼拜)[一二三四五六日天1-7]")


def _next_week(turn: Turn, ent: Any) -> str:
    """ "周四下午" after "下礼拜吧": next week's Thursday, when this week's was meant otherwise."""
    value = str(ent.value)
    if turn.scratch.get(VAGUE_KEY) != "下" or not _BARE_WEEKDAY.match(ent.text or ""):
        return value
    monday = turn.local_now.date() + timedelta(days=7 - turn.local_now.weekday())
    parts = value.split("/")
    try:
        first = date.fromisoformat(parts[0][:10])
    except ValueError:
        return value
    if first >= monday:
        return value
    return "/".join(
        (date.fromisoformat(p[:10]) + timedelta(days=7)).isoformat() + p[10:] for p in parts
    )


def vague_days(turn: Turn, said: str) -> list[date]:
    """Three concrete days to offer for a vague "下周" / "过几天"."""
    today = turn.local_now.date()
    if said.startswith("下"):
        monday = today + timedelta(days=7 - today.weekday())
        return [monday, monday + timedelta(days=2), monday + timedelta(days=5)]
    first = today + timedelta(days=1)
    return [first, first + timedelta(days=1), first + timedelta(days=2)]


def window(turn: Turn) -> dict[str, Any] | None:
    """The visit window said in this message. When it names several times ("昨天开始不制冷
    … 礼拜六上午来", "明天送到 后天上午来装"), a bookable one followed by a visit word
    (来/上门/装…) wins, else the last bookable one; with none bookable the last one, for
    the validator to explain. A vague "下周找个时间" gives ``{"vague": …}``: the validator
    offers concrete days."""
    entities = turn.entities("datetime") or _english_times(turn)
    if not entities:
        said = words_norm(turn.text)
        if _ASAP.search(said) or (turn.answer_for("window") and _ANY_TIME.match(said)):
            return earliest_window(turn)
        vague = _VAGUE.search(said)
        if vague and turn.asked in ("window", None):
            return {"vague": vague.group(0)}
        return None
    found = []
    for ent in entities:
        try:
            found.append((ent, window_from_value(turn, _next_week(turn, ent))))
        except ValueError:
            continue
    if not found:
        return None
    ok = [(ent, v) for ent, v in found if valid_window(turn, v) is None]
    for ent, value in ok:  # "明天送到 后天上午来装": the time the visit is asked for
        if ent.end >= 0 and _VISIT.match(turn.parse.text, ent.end):
            return value
    return ok[-1][1] if ok else found[-1][1]


def valid_window(turn: Turn, value: dict[str, Any]) -> str | None:
    if "vague" in value:
        turn.scratch[VAGUE_KEY] = value["vague"][:1]
        days = "、".join(
            f"{d.month}月{d.day}日(周{WEEKDAYS[d.weekday()]})"
            for d in vague_days(turn, value["vague"])
        )
        return f"好的～可以约{days}，上午或下午都行。哪天方便？比如“周三上午”。"
    start = datetime.fromisoformat(value["start"]).astimezone(turn.tz)
    end = datetime.fromisoformat(value["end"]).astimezone(turn.tz)
    now = turn.local_now
    horizon = int(turn.services.settings.service.get("booking_horizon_days", 30))
    open_t, close_t = _hours(turn)
    if end <= now or start < now - timedelta(minutes=1):
        return "这个时间已经过去啦，请换一个之后的时间，比如“明天上午”或“周六下午3点”。"
    if start.date() > now.date() + timedelta(days=horizon):
        return f"只能预约{horizon}天以内的时间哦，请换一个近一点的日子。"
    if start.time() < open_t or end.time() > close_t or end.date() != start.date():
        return f"师傅的上门时间是每天{open_t:%H:%M}-{close_t:%H:%M}，请换一个这个时段内的时间～"
    return None


def show_window(value: dict[str, Any], tz: Any) -> str:
    """ "11月26日(周四) 08:00-12:00" in the configured zone."""
    start = datetime.fromisoformat(value["start"]).astimezone(tz)
    end = datetime.fromisoformat(value["end"]).astimezone(tz)
    return f"{start.month}月{start.day}日(周{WEEKDAYS[start.weekday()]}) {start:%H:%M}-{end:%H:%M}"


# --- a pick from a numbered list ------------------------------------------------------------


def pick_number(text: str, count: int) -> int | None:
    """ "2", "第2个", "第二个", "二" → 1-based index within ``count``; else None."""
    t = text.strip().strip("。.！!号个台")
    m = re.fullmatch(r"(?:第)?\s*(\d{1,2}|[一二两三四五六七八九])\s*(?:个|台|号)?", t)
    if not m:
        return None
    g = m.group(1)
    n = to_int(g)
    return n if 1 <= n <= count else None
