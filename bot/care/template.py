"""Care texts: ``{placeholder}`` templates rendered in SQL, so planning stays set-based."""

from __future__ import annotations

from string import Formatter

from sqlalchemy import String, cast, func, literal
from sqlalchemy.sql.elements import ColumnElement


class TemplateError(ValueError):
    pass


def placeholders(template: str) -> list[str]:
    return [f for _, f, _, _ in Formatter().parse(template) if f is not None]


def check(template: str, allowed: set[str], where: str) -> None:
    unknown = [p for p in placeholders(template) if p not in allowed]
    if unknown:
        raise TemplateError(
            f"{where}: unknown placeholder(s) {', '.join(unknown)}; "
            f"use {', '.join(sorted(allowed))}"
        )


def compile_sql(template: str, fields: dict[str, ColumnElement]) -> ColumnElement:
    """'{name}您好' → COALESCE(CAST(name AS VARCHAR), '') || '您好'."""
    parts: list[ColumnElement] = []
    for lit, field, _spec, _conv in Formatter().parse(template):
        if lit:
            parts.append(literal(lit, String))
        if field is not None:
            if field not in fields:
                raise TemplateError(f"unknown placeholder {{{field}}}")
            parts.append(func.coalesce(cast(fields[field], String), literal("", String)))
    if not parts:
        return literal("", String)
    out = parts[0]
    for p in parts[1:]:
        out = out + p
    return out
