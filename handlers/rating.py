"""Rating a finished service: "5", "5星", "五星", "⭐⭐⭐⭐", "非常满意", "一般", "差评"…

A rating of 3 or below opens a complaint (handoff "low_rating") and tells the guide.
"""

from __future__ import annotations

import re
from datetime import timedelta

from bot.dialog import words
from bot.dialog.forms import Turn
from bot.dialog.router import Router
from bot.messages import Reply
from handlers.common import customer_label, tell_staff
from storage.repos import handoffs, tickets

_CN = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_PHRASES = [  # longest first
    ("非常不满意", 1),
    ("很不满意", 1),
    ("特别差", 1),
    ("太差了", 1),
    ("很差", 1),
    ("差评", 1),
    ("不满意", 2),
    ("不太满意", 2),
    ("不好", 2),
    ("差", 2),
    ("一般般", 3),
    ("一般", 3),
    ("还行", 3),
    ("凑合", 3),
    ("中评", 3),
    ("比较满意", 4),
    ("还不错", 4),
    ("挺好", 4),
    ("不错", 4),
    ("非常满意", 5),
    ("很满意", 5),
    ("特别满意", 5),
    ("超级满意", 5),
    ("五星好评", 5),
    ("好评", 5),
    ("满意", 5),
    ("很好", 5),
    ("非常好", 5),
    ("完美", 5),
]
_BY_LENGTH = sorted(_PHRASES, key=lambda p: -len(p[0]))  # the longest phrase wins
_STAR_NUM = re.compile(r"^([1-5一二两三四五])\s*(?:星|颗星|分|⭐|★)?(?:好评|满意)?$")
EXPECT_DAYS = 7


def parse_stars(text: str, expected: bool = False) -> tuple[int, bool] | None:
    """(stars, explicit): explicit when it cannot be anything but a rating ("4星", "⭐⭐⭐").
    ``expected``: we just asked for a rating, so "满意 谢谢师傅" (a word, then more) is one."""
    t = words.norm(text)
    if not t or not (_MAYBE.search(t) or _STARRY.search(text)):
        return None  # no star, no 1–5, no rating word: most messages stop here
    stars = t.count("⭐") + t.count("★") + t.count("🌟")
    if stars and not t.replace("⭐", "").replace("★", "").replace("🌟", "").replace("\ufe0f", ""):
        return min(stars, 5), True
    m = _LEADING_STARS.match(text.strip())  # "⭐⭐⭐⭐ 还行吧 就是有点慢": stars, then a comment
    if m and len(t) <= 40:
        return min(len(m.group(0).replace("\ufe0f", "").replace(" ", "")), 5), True
    m = _STAR_NUM.match(t)
    if m:
        g = m.group(1)
        n = int(g) if g.isdigit() else _CN[g]
        return n, t != g
    for phrase, n in _BY_LENGTH:
        if t == phrase or (len(t) <= len(phrase) + 3 and t.startswith(phrase)):
            return n, phrase in _EXPLICIT
    # a rating with a comment: "五星好评 师傅很细心", "给4分吧 来得有点晚", "差评！！又坏了"
    if len(t) <= 40:
        m = _STARS_IN.search(t)
        if m:
            g = m.group(1)
            return (int(g) if g.isdigit() else _CN[g]), True
        body = _GIVE.sub("", t)  # "给个好评 师傅人蛮好的"
        for phrase in _OPENERS:
            if body.startswith(phrase):
                return _STARS_OF[phrase], True
        if expected:
            for phrase, n in _BY_LENGTH:
                if body.startswith(phrase):
                    return n, False
    return None


_EXPLICIT = ("五星好评", "差评", "好评", "中评")
# clear enough to open a rating with a comment after it: "非常满意 师傅很准时"
_STRONG = ("非常满意", "很满意", "特别满意", "超级满意", "非常不满意", "很不满意")
_GIVE = re.compile(r"^(?:给(?:你们|师傅)?|打)(?:个|一个)?")
_LEADING_STARS = re.compile(r"^(?:[⭐★🌟]\ufe0f?\s*){1,5}")
_OPENERS = sorted(_EXPLICIT + _STRONG, key=len, reverse=True)  # the longest first
_STARS_OF = dict(_PHRASES)


def comment_of(text: str) -> str | None:
    """What the customer said besides the rating: "五星 师傅很专业" → "师傅很专业"."""
    rest = _LEADING_STARS.sub("", text.strip()).strip()
    if rest != text.strip():  # the stars were the rating: every word after them is comment
        return rest.strip(" ，,。.!！~～、") or None
    if re.fullmatch(r"[1-5一二两三四五]", rest):
        return None
    head = re.compile(
        r"^(?:给(?:你们|师傅)?|打)?(?:个|一个)?\s*(?:[1-5一二两三四五]\s*(?:颗星|星|分)|"
        + "|".join(sorted((p for p, _ in _PHRASES), key=len, reverse=True))
        + r")[\s，,。.!！~～、吧啦]*"
    )
    rest = head.sub("", rest, count=1)
    rest = re.sub(r"^(?:五星好评|好评|差评|中评)[\s，,。.!！~～、吧啦]*", "", rest)  # "五星好评 …"
    rest = rest.strip(" ，,。.!！~～、")
    return rest or None


# every rating holds a star, a 1–5 or a rating word (phrases and openers are _PHRASES)
_STARRY = re.compile("[⭐★🌟]")
_MAYBE = re.compile("[1-5一二两三四五⭐★🌟]|" + "|".join(re.escape(p) for p, _ in _BY_LENGTH))
_STARS_IN = re.compile(r"(?:^|给|打|评|就)\s*([1-5一二两三四五])\s*(?:颗星|星|分(?![钟之]))")


async def maybe_rate(turn: Turn, explicit_only: bool = False) -> str | None:
    """Record a rating if the message is one and a finished ticket waits for it; else None.
    ``explicit_only``: only unmistakable ratings ("4星", "⭐⭐⭐⭐"), e.g. while a form waits."""
    expect = turn.state.get("expect") or {}
    found = parse_stars(turn.text, expected=expect.get("kind") == "rating")
    if found is None:
        return None
    stars, explicit = found
    if explicit_only and not explicit:
        return None
    ticket = None
    if expect.get("kind") == "rating" and expect.get("ticket_id"):
        from storage.models import ServiceTicket

        ticket = await turn.db.get(ServiceTicket, expect["ticket_id"])
    bare_number = words.norm(turn.text) in ("1", "2", "3", "4", "5")
    if ticket is None and (explicit or expect or bare_number):
        ticket = await tickets.unrated_done(
            turn.db, turn.person.id, turn.now - timedelta(days=EXPECT_DAYS)
        )
    if ticket is None:
        return None
    turn.state.pop("expect", None)
    turn.state.pop("hold_until", None)
    row = await tickets.add_rating(
        turn.db, ticket, stars, now=turn.now, comment=comment_of(turn.text)
    )
    if row is None:
        return "这单您已经评价过啦，谢谢～"
    if stars >= 4:
        return f"收到您的{stars}星评价，谢谢支持！有需要随时找我😊"
    quiet = int(turn.services.settings.service.get("handoff_quiet_minutes", 30))
    await handoffs.open_handoff(
        turn.db,
        turn.person.id,
        "low_rating",
        reason=f"{ticket.number} 评价{stars}星：{turn.text}",
        now=turn.now,
        quiet_until=turn.now + timedelta(minutes=quiet),
        ticket_id=ticket.id,
    )
    await tell_staff(
        turn.db,
        turn.customer,
        f"【差评提醒】{customer_label(turn.customer)} 给 {ticket.number} 打了{stars}星："
        f"“{turn.text[:60]}”。请尽快联系客户了解情况。",
        idem_key=f"low-rating:{ticket.id}",
    )
    return (
        f"收到您的{stars}星评价，非常抱歉这次没让您满意😔\n"
        "已经请店里的负责人尽快联系您，把问题处理好。"
    )


router = Router("rating")
router.mention(4, "评价服务")  # a rating is recognised wherever it is said (maybe_rate)


async def step(turn: Turn) -> Reply | None:
    """Middleware: a rating, when one is expected or the message is unmistakably one (「4星」,
    「⭐⭐⭐⭐」); while a form waits, only the unmistakable kind (「2」 may pick from a list)."""
    rated = await maybe_rate(turn, explicit_only=bool(turn.state.get("form")))
    return Reply(text=rated, intent="rating") if rated is not None else None
