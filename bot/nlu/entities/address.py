"""``address``: a span of province / city / district / street / 小区 / 楼栋 / 门牌, as far as given.

value = the span as normalised (half-width, simplified, no spaces beside Chinese characters), with leading labels
such as 地址 / 住在 / 我家在 stripped. A span needs two parts (上海市浦东新区, 张杨路1200弄) or
one strong part (a road with a number, a named 小区 with a building) to count.
"""

from __future__ import annotations

import re

from bot.nlu.entities import Context
from bot.nlu.types import Entity

_ADMIN = r"(?:省|自治区|特别行政区|市|自治州|地区|盟|区|县|旗|镇|乡|街道)"
# 里 only after a name, not in 家里/这里/哪里/店里 (…三台空调 is no address)
_ROAD = r"(?:大道|大街|路|街|巷|弄|胡同|(?<![家这那哪屋店心手夜城村嘴眼锅箱柜机子面头])里)"
_ESTATE = r"(?:小区|花园|家园|新村|公寓|大厦|广场|苑|村|庭|府|湾|城|园)"
_UNIT = r"(?:号院|号楼|栋|幢|座|单元|楼|层|室|户|号|期)"
# Provinces and big cities are often written without 省 / 市 (北京朝阳区, 深圳福田区).
_PLACES = (
    "北京|上海|天津|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|"
    "广东|海南|四川|贵州|云南|陕西|甘肃|青海|台湾|内蒙古|广西|西藏|宁夏|新疆|香港|澳门|"
    "广州|深圳|杭州|南京|苏州|武汉|成都|西安|长沙|郑州|济南|青岛|宁波|厦门|福州|合肥|沈阳|大连|"
    "哈尔滨|长春|石家庄|太原|南昌|昆明|贵阳|南宁|海口|兰州|无锡|佛山|东莞|温州|珠海|常州|徐州"
)
_NAME = r"[\u4e00-\u9fa5A-Za-z]"
# Bounded runs (a house number is never 60 KB): a part tried at every position of a long
# run of digits or numerals then reads a few characters there, not the rest of the text.
_NUMERIC = r"[0-9A-Za-z一二三四五六七八九十百零两]{1,10}(?:[\-][0-9A-Za-z]{1,10}){0,6}"

_PART = (
    rf"(?:(?:{_PLACES})(?![市省])"
    rf"|{_NAME}{{1,7}}?{_ADMIN}"
    rf"|{_NAME}{{1,8}}?{_ROAD}(?:{_NUMERIC}(?:号|弄|巷)?)?"
    rf"|{_NAME}{{2,8}}?{_ESTATE}"
    rf"|{_NUMERIC}{_UNIT}"
    rf"|\d{{1,10}}(?:-\d{{1,10}}){{0,6}}(?=$|[\s,，。])"
    rf")"
)
# words that follow an address but are no part of it ("…100号 电话139…")
_NOT_PLACE = r"(?:电话|手机|联系|号码|时间|预约|上门|师傅|麻烦|谢谢|明天|后天|今天)"
# a span: parts, then maybe a trailing name (车公庙, 望京SOHO) when it already has two parts
_SPAN = re.compile(
    rf"(?:{_PART}\s?){{1,12}}"
    rf"(?:(?!{_NOT_PLACE}){_NAME}[\u4e00-\u9fa5A-Za-z0-9]{{1,7}}(?=$|[\s,，。]))?"
    r"(?:\s[A-Za-z]?\d[\dA-Za-z\-]{0,5}(?![\dA-Za-z]))*"  # T1 1802
)
_PARTS = re.compile(_PART)
_LABEL = re.compile(
    r"^.*?(?:地址是?|住址是?|地点是?|家住|住在|我住|我家在|家在|位置是?|住|在|到|去|是)(?=.{3})"
)
# One strong part: a road with a number, or an estate / a unit with a unit after it.
_ROAD_NUMBER = re.compile(rf"{_ROAD}{_NUMERIC}")
_ESTATE_WORD = re.compile(_ESTATE)
_NUMBERED_UNIT = re.compile(rf"{_NUMERIC}{_UNIT}")
_CJK_SPACE = re.compile(r"(?<=[\u4e00-\u9fa5])\s|\s(?=[\u4e00-\u9fa5])")
_BAD_START = re.compile(r"^(?:我|你|他|她|我们|你们|这|那|什么|怎么|哪|老|新|旧|大|小)")


def _strip_label(span: str) -> tuple[str, int]:
    m = _LABEL.match(span)
    if m and _PARTS.match(span, m.end()):
        return span[m.end() :], m.end()
    return span, 0


def _strong(body: str) -> bool:
    """``路`` + number, or an estate or numbered unit followed later by a numbered unit (one
    forward scan each, where ``estate .* unit`` would rescan the rest from every start)."""
    if _ROAD_NUMBER.search(body):
        return True
    for first in (_ESTATE_WORD.search(body), _NUMBERED_UNIT.search(body)):
        if first and _NUMBERED_UNIT.search(body, first.end()):
            return True
    return False


def extract(ctx: Context) -> list[Entity]:
    out: list[Entity] = []
    for m in _SPAN.finditer(ctx.text):
        start, end = m.start(), m.end()
        raw = ctx.text[start:end].rstrip()
        body, cut = _strip_label(raw)
        start += cut
        end = start + len(body)
        inside = ctx.first_overlap(start, end)
        if inside is not None:  # stop where a phone or a date begins
            if inside <= start:
                continue
            end = inside
            body = ctx.text[start:end].rstrip()
            end = start + len(body)
        parts = _PARTS.findall(body)
        named = [p for p in parts if not p.strip().isdigit()]
        if not named or not _PARTS.match(body) or body[:1].isdigit():
            continue  # a span starts with a named part, not with bare numbers
        if len(named) < 2 and not _strong(body):
            continue
        if _BAD_START.match(body) and len(parts) < 3:
            continue
        value = _CJK_SPACE.sub("", re.sub(r"\s+", " ", body))
        out.append(ctx.entity("address", value, start, end))
    return out
