"""The update half of an upsert, shared by the imports (customers by phone, devices by serial)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession


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
