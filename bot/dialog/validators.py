"""Slot values checked for what they are: an address reads like an address (a district, road
or compound and a number), a fault reads like a fault. A value that does not is asked again,
kindly, with an example. Each validator is ``(turn, value) -> error text | None`` (the form's
validator mechanism, bot/dialog/forms.py).

Every pattern is bounded: customer text is hostile until proven otherwise.
"""

from __future__ import annotations

import re

from bot.dialog.forms import Turn

ADDRESS_EXAMPLE = "比如“闵行区莘松路100弄2号401”"
FAULT_EXAMPLE = "比如“不制冷”“漏水”“脱水时跳得厉害”“显示E1”"

# where: an administrative part, a road, a compound or a building
_PLACE = re.compile(
    r"省|市|区|县|镇|乡|街道|路|街|道|巷|弄|胡同|大道|小区|新村|花园|公寓|大厦|广场|村|苑|城|"
    r"家园|园区|楼|栋|幢|单元|室|号"
)
# which door: a number, written or spoken
_NUMBER = re.compile(r"\d|[一二三四五六七八九十百]{1,4}(?:号|弄|栋|幢|楼|单元|室)")
# what an address never is: a question, money, a haggle
_NOT_ADDRESS = re.compile(
    r"[吗嘛么？?]|多少|几[点个]|凑个?整|便宜|优惠|打折|块钱|\d{1,6}\s{0,2}(?:块|元|万|千)|行不行|可以不"
)


def looks_like_address(text: str) -> bool:
    """A district/road/compound word and a number, and nothing that makes it a question."""
    text = text.strip()[:200]
    if len(text) < 5 or _NOT_ADDRESS.search(text):
        return False
    return bool(_PLACE.search(text)) and bool(_NUMBER.search(text))


def address(turn: Turn, value: str) -> str | None:
    """The address slot's validator (a location the customer shared is an address)."""
    if turn.inbound.kind == "location" or looks_like_address(str(value)):
        return None
    if _NOT_ADDRESS.search(str(value)[:200]):
        return f"这个好像不是地址哦～请告诉我上门地址（到门牌号），{ADDRESS_EXAMPLE}。"
    return f"地址再详细一点哦，要有路名和门牌号，{ADDRESS_EXAMPLE}。"


# what a fault sounds like: something not working, a noise, a leak, a code, a smell …
_FAULT = re.compile(
    r"不|没|坏|漏|滴|响|噪|异|跳|晃|抖|震|卡|堵|慢|小|弱|差|热|冷|凉|冰|霜|味|臭|烟|火|"
    r"闪|黑|花|亮|停|断|烧|焦|糊|报警|故障|代码|[EeFfHhPp]\s{0,2}\d{1,3}|显示|乱|松|掉|裂|破|歪|"
    r"脏|锈|转|吵|嗡|咔|吱|一直|老是|总是|经常|有时"
)
# what only complains about being asked again ("我不是说了吗"), said before the fault itself
_META = re.compile(
    r"我?(?:不是|刚才|刚刚|已经|早就)?(?:都)?(?:说|讲|告诉你)(?:过|了)(?:吗|嘛|啊|呀|的)?|"
    r"你(?:们)?(?:没|没有)?(?:看|听)(?:到|见)?(?:吗|嘛)?|还要(?:我)?(?:再)?说(?:一遍|几遍)?|"
    r"怎么又问"
)


def strip_meta(text: str) -> str:
    """「我不是说了吗 响 脱水的时候跳」 → 「响 脱水的时候跳」."""
    return _META.sub(" ", text[:200]).strip(" ，,。.！!？?~～")


def looks_like_fault(text: str) -> bool:
    rest = strip_meta(text)
    return len(rest) >= 1 and bool(_FAULT.search(rest))


def fault(turn: Turn, value: str | None) -> str | None:
    """The symptom slot's validator (None, "师傅上门看", is always fine)."""
    if value is None or looks_like_fault(str(value)):
        return None
    return f"能说说具体是什么问题吗？{FAULT_EXAMPLE}；说不清也没关系，回复“不知道”，师傅上门检查。"
