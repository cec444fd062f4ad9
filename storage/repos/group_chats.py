"""Customer group chats synced from WeCom, and their figures per day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Group, GroupDay, Staff


@dataclass
class Upserted:
    group: Group
    created: bool


async def by_chat(session: AsyncSession, chat_id: str) -> Group | None:
    return await session.scalar(select(Group).where(Group.chat_id == chat_id))


async def upsert_chat(
    session: AsyncSession,
    *,
    chat_id: str,
    name: str,
    owner: str | None,
    members: int,
    now: datetime,
) -> Upserted:
    """The group of this chat: found by chat id, else a configured group of the same name
    (its robot kept), else a new one. The owner's store becomes the group's when it has none."""
    group = await by_chat(session, chat_id)
    created = False
    if group is None:
        group = await session.scalar(
            select(Group).where(Group.name == name, Group.chat_id.is_(None))
        )
    if group is None:
        taken = await session.scalar(select(Group.id).where(Group.name == name))
        group = Group(name=name if taken is None else f"{name}·{chat_id[-6:]}", robot_key="")
        session.add(group)
        created = True
    group.chat_id = chat_id
    group.owner_userid = owner
    group.member_count = members
    group.synced_at = now
    if group.store_id is None and owner:
        group.store_id = await session.scalar(
            select(Staff.store_id).where(Staff.wecom_userid == owner)
        )
    await session.flush()
    return Upserted(group, created)


async def _day(session: AsyncSession, group: Group, day: date) -> GroupDay:
    row = await session.scalar(
        select(GroupDay).where(GroupDay.group_id == group.id, GroupDay.day == day)
    )
    if row is None:
        row = GroupDay(group_id=group.id, day=day, members=group.member_count, joins=0, leaves=0)
        session.add(row)
        await session.flush()
    return row


async def record_sync(
    session: AsyncSession, group: Group, day: date, members: int, joined_today: int
) -> None:
    """A sync's count for ``day``: members now; joins at least those who joined today; leaves
    at least what the member count says went missing since the day before."""
    before = await session.scalar(
        select(GroupDay.members)
        .where(GroupDay.group_id == group.id, GroupDay.day < day)
        .order_by(GroupDay.day.desc())
        .limit(1)
    )
    row = await _day(session, group, day)
    row.members = members
    row.joins = max(row.joins, joined_today)
    if before is not None:
        row.leaves = max(row.leaves, before + row.joins - members)
    await session.flush()


async def moved(
    session: AsyncSession,
    group: Group,
    day: date,
    *,
    joins: int = 0,
    leaves: int = 0,
    total: int | None = None,
) -> None:
    row = await _day(session, group, day)
    row.joins += joins
    row.leaves += leaves
    group.member_count = total if total is not None else max(0, group.member_count + joins - leaves)
    row.members = group.member_count
    await session.flush()


async def dismissed(session: AsyncSession, group: Group, day: date) -> None:
    row = await _day(session, group, day)
    row.leaves += group.member_count
    group.member_count = row.members = 0
    group.chat_id = None  # the chat is gone; the name and robot stay for the record
    await session.flush()


async def owned_by(session: AsyncSession, userid: str) -> list[Group]:
    return list(await session.scalars(select(Group).where(Group.owner_userid == userid)))


async def set_owner(session: AsyncSession, group_ids: list[int], userid: str) -> None:
    if group_ids:
        await session.execute(
            update(Group).where(Group.id.in_(group_ids)).values(owner_userid=userid)
        )


async def figures(
    session: AsyncSession, since: date, store_id: int | None = None
) -> list[tuple[Group, list[GroupDay]]]:
    """Each synced group with its days since ``since`` (a store's groups only, when given)."""
    q = select(Group).where(Group.synced_at.is_not(None)).order_by(Group.name)
    if store_id is not None:
        q = q.where(Group.store_id == store_id)
    groups = list(await session.scalars(q))
    if not groups:
        return []
    days = await session.scalars(
        select(GroupDay)
        .where(GroupDay.group_id.in_([g.id for g in groups]), GroupDay.day >= since)
        .order_by(GroupDay.day)
    )
    by_group: dict[int, list[GroupDay]] = {}
    for d in days:
        by_group.setdefault(d.group_id, []).append(d)
    return [(g, by_group.get(g.id, [])) for g in groups]
