"""Group admins (work.group_admins): 群发 阳光花园业主群 明天上午10点 内容 — a scheduled post
through the group's robot; 群列表 — the groups."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

from bot.context import Services
from bot.work.groups import enqueue_post
from bot.work.staff import Who
from bot.work.staff_router import StaffRouter
from bot.work.when import parse_when
from bot.work.wording import canon
from storage.repos import groups as groups_repo

NOT_ADMIN = "群发需要群管理员权限，请联系店长开通～"
EXAMPLE = "例如：群发 阳光花园业主群 明天上午10点 周六福利日，空调清洗8折！"


async def list_groups(services: Services, staff: Who) -> str:
    if not staff.admin:
        return NOT_ADMIN
    async with services.db.session() as s:
        rows = await groups_repo.all_groups(s)
    if not rows:
        return "还没有登记社群（config.yaml 的 groups）。"
    return "社群：\n" + "\n".join(
        f"· {g.name}"
        + (f"（{code}）" if code else "")
        + (f" {g.member_count}人" if g.synced_at else "")
        + ("" if g.robot_key else "（未配群机器人）")
        for g, code in rows
    )


def _when_and_text(rest: str, now):
    """The time read from the canonical text (full-width, traditional, emoji-free); the
    content cut from what the admin typed, so emoji and punctuation go out as written."""
    raw = rest.strip()
    c = canon(raw)  # same length as raw
    at, left = parse_when(c, now)
    if at is None or not left:
        return at, left
    pos = c.rfind(left)
    return at, (raw[pos : pos + len(left)] if pos >= 0 else left)


async def post(services: Services, staff: Who, group: str, rest: str) -> str:
    if not staff.admin:
        return NOT_ADMIN
    async with services.db.session() as s:
        found = await groups_repo.find(s, group)
    if len(found) != 1:
        if not found:
            return f"没找到群“{group}”。发“群列表”看看有哪些群。"
        return "有好几个群都叫这个：" + "、".join(g.name for g in found) + "。请写全群名。"
    name = found[0].name
    if not found[0].robot_key:
        return (
            f"“{name}”还没有配置群机器人，发不了。请在 config.yaml 的 groups 里加上它的 robot_key。"
        )
    now = services.clock.local_now()
    at, text = await asyncio.to_thread(_when_and_text, rest, now)
    if at is None:
        return "什么时候发呢？" + EXAMPLE
    if at < now - timedelta(minutes=1):
        return f"{at:%m月%d日 %H:%M}已经过去了，换个时间吧。"
    payload = {"msgtype": "text"}
    if m := re.match(r"(?:md|markdown)[:\s]\s*", text, re.IGNORECASE):
        text, payload = text[m.end() :], {"msgtype": "markdown"}
    if not text.strip():
        return "要发什么内容呢？" + EXAMPLE
    row = await enqueue_post(services, name, text.strip(), {**payload, "by": staff.userid}, at=at)
    if row is None:
        return "没能安排，请稍后再试。"
    when = "马上" if at <= now + timedelta(minutes=1) else f"{at.month}月{at.day}日 {at:%H:%M}"
    return f"好的，{when}发到“{name}”。"


staff_router = StaffRouter("groups")
staff_router.command("group_post", help="群发 阳光花园业主群 明天上午10点 内容…", admin=True)(post)
staff_router.command("group_list", help="群列表", admin=True)(list_groups)
