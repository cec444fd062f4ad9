"""Staff look-ups: who at the store hears about a customer's booking or complaint."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Customer, Staff, Store


async def by_userid(session: AsyncSession, wecom_userid: str) -> Staff | None:
    return await session.scalar(select(Staff).where(Staff.wecom_userid == wecom_userid))


async def contact_for(
    session: AsyncSession, customer: Customer, role: str | None = None
) -> Staff | None:
    """The customer's own guide; else someone active at their store (``role`` first);
    else any active guide or manager. ``None`` when there is no staff at all."""
    if customer.guide_id is not None and role in (None, "guide"):
        guide = await session.get(Staff, customer.guide_id)
        if guide is not None and guide.active:
            return guide
    order = [role, "guide", "manager", "engineer"] if role else ["guide", "manager", "engineer"]
    scopes = [customer.store_id] if customer.store_id is not None else []
    scopes.append(None)
    for store_id in scopes:
        for r in order:
            q = select(Staff).where(Staff.active.is_(True), Staff.role == r)
            if store_id is not None:
                q = q.where(Staff.store_id == store_id)
            found = await session.scalar(q.order_by(Staff.id).limit(1))
            if found is not None:
                return found
    return None


async def all_stores(session: AsyncSession) -> list[Store]:
    return list(await session.scalars(select(Store).order_by(Store.id)))


async def all_staff(session: AsyncSession) -> list[Staff]:
    return list(await session.scalars(select(Staff).order_by(Staff.id)))


async def names_by_userid(session: AsyncSession, userids: list[str]) -> dict[str, str]:
    """WeCom userid → the colleague's name (with their role), for the given userids."""
    if not userids:
        return {}
    rows = await session.execute(
        select(Staff.wecom_userid, Staff.name, Staff.role).where(Staff.wecom_userid.in_(userids))
    )
    return {uid: f"{name or uid}（{ROLE_WORDS.get(role, '员工')}）" for uid, name, role in rows}


ROLE_WORDS = {"guide": "导购", "engineer": "师傅", "manager": "店长"}
