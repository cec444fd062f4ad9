"""Community groups and their WeCom group-robot webhook keys."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Group, Store


async def all_groups(session: AsyncSession) -> list[tuple[Group, str | None]]:
    """Every group with its store's code (None when it has no store)."""
    rows = await session.execute(
        select(Group, Store.code).outerjoin(Store, Store.id == Group.store_id).order_by(Group.id)
    )
    return [(g, code) for g, code in rows.all()]


async def by_name(session: AsyncSession, name: str) -> Group | None:
    return await session.scalar(select(Group).where(Group.name == name))


async def find(session: AsyncSession, term: str) -> list[Group]:
    """Exact name first, else groups whose name contains ``term``."""
    exact = await by_name(session, term)
    if exact is not None:
        return [exact]
    return list(
        await session.scalars(
            select(Group).where(Group.name.contains(term, autoescape=True)).order_by(Group.id)
        )
    )


async def upsert(session: AsyncSession, name: str, robot_key: str, store_code: str | None) -> str:
    """Create or update a group by name. Returns "created", "updated" or "unchanged"."""
    store_id = None
    if store_code:
        store_id = await session.scalar(select(Store.id).where(Store.code == store_code))
    row = await by_name(session, name)
    if row is None:
        session.add(Group(name=name, robot_key=robot_key, store_id=store_id))
        await session.flush()
        return "created"
    if row.robot_key == robot_key and row.store_id == store_id:
        return "unchanged"
    row.robot_key, row.store_id = robot_key, store_id
    await session.flush()
    return "updated"
