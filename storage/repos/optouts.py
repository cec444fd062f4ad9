"""Opt-outs: which care lines a customer has switched off (all|festival|reminder)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OptOut


async def kinds(session: AsyncSession, customer_id: int) -> set[str]:
    return set(await session.scalars(select(OptOut.kind).where(OptOut.customer_id == customer_id)))


async def add(session: AsyncSession, customer_id: int, kind: str, now: datetime) -> bool:
    """Switch ``kind`` off. Returns False when it already was."""
    if kind in await kinds(session, customer_id):
        return False
    session.add(OptOut(customer_id=customer_id, kind=kind, created_at=now))
    await session.flush()
    return True


async def remove(session: AsyncSession, customer_id: int, kind: str | None = None) -> int:
    """Switch back on: one kind, or everything when ``kind`` is None."""
    q = delete(OptOut).where(OptOut.customer_id == customer_id)
    if kind is not None:
        q = q.where(OptOut.kind == kind)
    result = await session.execute(q)
    return int(result.rowcount or 0)
