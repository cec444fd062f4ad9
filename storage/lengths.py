"""The text columns' lengths, so that a value too long is refused by name before it is
written (PostgreSQL would abort the transaction; SQLite would keep it whole)."""

from __future__ import annotations

from typing import Any


def too_long(model: Any, fields: dict[str, Any]) -> tuple[str, int] | None:
    """``(field, limit)`` of the first text value longer than its column, else None."""
    columns = model.__table__.c
    for name, value in fields.items():
        if not isinstance(value, str) or name not in columns:
            continue
        limit = getattr(columns[name].type, "length", None)
        if limit is not None and len(value) > limit:
            return name, limit
    return None
