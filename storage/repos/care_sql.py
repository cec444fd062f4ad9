"""Date and text expressions that read the same on SQLite and PostgreSQL (for care queries)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Integer, String, cast, func, literal
from sqlalchemy.sql.elements import ColumnElement


class Sql:
    """``Sql(dialect_name)``: add_days, add_months, month_day, year, cn_date, text, json."""

    def __init__(self, dialect: str) -> None:
        self.pg = dialect == "postgresql"

    def day(self, d: date) -> ColumnElement:
        return literal(d, Date())

    def add_days(self, col, n) -> ColumnElement:
        if self.pg:
            return col + n
        return func.date(col, "+" + cast(n, String) + " days")

    def add_months(self, col, n) -> ColumnElement:
        if self.pg:
            return cast(col + func.make_interval(0, n), Date)
        return func.date(col, "+" + cast(n, String) + " months")

    def month_day(self, col) -> ColumnElement:
        return func.to_char(col, "MM-DD") if self.pg else func.strftime("%m-%d", col)

    def year(self, col) -> ColumnElement:
        if self.pg:
            return cast(func.extract("year", col), Integer)
        return cast(func.strftime("%Y", col), Integer)

    def cn_date(self, col) -> ColumnElement:
        """Like 12月5日."""
        if self.pg:
            return func.to_char(col, 'FMMM"月"FMDD"日"')
        return (
            cast(cast(func.strftime("%m", col), Integer), String)
            + "月"
            + cast(cast(func.strftime("%d", col), Integer), String)
            + "日"
        )

    def text(self, expr) -> ColumnElement:
        return cast(expr, String)

    def json(self, *pairs) -> ColumnElement:
        fn = func.json_build_object if self.pg else func.json_object
        return fn(*pairs)
