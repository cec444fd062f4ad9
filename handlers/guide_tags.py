"""Guides: 标签 张伟 +换冰箱意向 -装修中 — manual tags on their own store's customers
(automatic tags are kept by the rules in config.yaml and cannot be set by hand);
标签 张伟 shows them. Changes for customers added in WeCom are synced to WeCom's tags."""

from __future__ import annotations

from bot.context import Services
from bot.work.staff import Who
from bot.work.staff_router import StaffRouter
from bot.work.util import mask_phone
from handlers.guide_lookup import store_customer
from storage.models import Customer
from storage.repos import tags as tags_repo

USAGE = "这样打标签：标签 张伟 +换冰箱意向 -装修中（加用+，去掉用-）；只看标签：标签 张伟"
NOT_OURS = "这位顾客不在{store}名下，不能给TA打标签哦。"


async def usage(_who: str = "") -> str:
    return USAGE


async def _find(services: Services, staff: Who, term: str) -> Customer | str:
    """The one customer of the guide's store meant by ``term``, or the reply to send."""
    async with services.db.session() as s:
        return await store_customer(
            s, staff, term, doing="tried to tag", more="请用手机号说得更具体些", refusal=NOT_OURS
        )


def _names(held: list[tuple[str, str]]) -> str:
    return "、".join(n for n, _ in held) if held else "暂无"


async def tag(services: Services, staff: Who, who: str, ops: list[tuple[str, str]]) -> str:
    if not who:
        return USAGE
    c = await _find(services, staff, who)
    if isinstance(c, str):
        return c
    label = c.name or mask_phone(c.phone) or "这位顾客"
    if not ops:
        async with services.db.session() as s:
            held = await tags_repo.for_customer(s, c.id)
        return f"{label}的标签：{_names(held)}"
    from bot.scrm.manual_tags import apply

    done = await apply(services, c.id, ops, staff.id)
    added, removed, notes, held = done.added, done.removed, done.notes, done.held
    parts = []
    if added:
        parts.append("加上了：" + "、".join(added))
    if removed:
        parts.append("去掉了：" + "、".join(removed))
    head = f"好的，{label}" + "；".join(parts) + "。" if parts else f"{label}的标签没有变化。"
    lines = [head] + notes + [f"现在的标签：{_names(held)}"]
    return "\n".join(lines)


staff_router = StaffRouter("tags")
staff_router.command(
    "tag", help="· 标签 张伟 +换冰箱意向 -装修中 —— 给顾客加/去标签；标签 张伟 —— 看标签"
)(tag)


@staff_router.command("tag_help")
async def _usage(services: Services, staff: Who, who: str) -> str:
    return await usage(who)
