"""Admin console accounts kept in the database (chain admins, store managers)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AdminUser, Store

ROLES = ("chain_admin", "store_manager")
BAD_USERNAME = "用户名 2–64 个字符，不含空格"


def username_ok(username: str) -> bool:
    return 2 <= len(username) <= 64 and not any(ch.isspace() for ch in username)


async def by_username(session: AsyncSession, username: str) -> AdminUser | None:
    return await session.scalar(select(AdminUser).where(AdminUser.username == username))


async def listing(session: AsyncSession) -> list[tuple[AdminUser, Store | None]]:
    q = (
        select(AdminUser, Store)
        .outerjoin(Store, Store.id == AdminUser.store_id)
        .order_by(AdminUser.username)
    )
    return [(u, s) for u, s in (await session.execute(q)).all()]


async def store_by_code(session: AsyncSession, code: str) -> Store | None:
    return await session.scalar(select(Store).where(Store.code == code))


async def add(
    session: AsyncSession, *, username: str, password_hash: str, role: str, store_id: int | None
) -> AdminUser:
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    user = AdminUser(
        username=username, password_hash=password_hash, role=role, store_id=store_id, active=True
    )
    session.add(user)
    await session.flush()
    return user
