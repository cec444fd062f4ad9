"""Both halves of an upsert: insert a row unless a unique key already holds one (savepoint,
so the conflict does not end the caller's transaction), and update only what changed (the
imports: customers by phone, devices by serial)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession


async def inserted(session: AsyncSession, row: Any) -> bool:
    """Add and flush ``row`` in a savepoint. False, with the transaction still usable, when
    a unique constraint already holds such a row (another process was first)."""
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:
        return False
    return True


async def update_changed(session: AsyncSession, row: Any, fields: dict[str, Any]) -> str:
    """Set every given (non-None) field that differs. Returns "updated" or "unchanged"."""
    changed = False
    for key, value in fields.items():
        if value is not None and getattr(row, key) != value:
            setattr(row, key, value)
            changed = True
    if changed:
        await session.flush()
    return "updated" if changed else "unchanged"
