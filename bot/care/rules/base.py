"""What every rule gets: the day, SQL helpers, local-day bounds in UTC, and its config."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select
from sqlalchemy.sql.elements import ColumnElement

from bot.care.template import compile_sql
from storage.repos.care_sql import Sql

PRIORITY = {"service": 1, "lifecycle": 2, "festival": 3, "solar_term": 4}


@dataclass(frozen=True)
class PlanContext:
    sql: Sql
    day: date
    tz: ZoneInfo

    def day_start_utc(self, day: date) -> datetime:
        return datetime.combine(day, time(0), self.tz).astimezone(UTC)

    def days_ago(self, n: int) -> tuple[datetime, datetime]:
        """[start, end) in UTC of the local day ``n`` days before the plan day."""
        d = self.day - timedelta(days=n)
        return self.day_start_utc(d), self.day_start_utc(d + timedelta(days=1))


def renderer(template: str):
    return lambda fields: compile_sql(template, fields)


Query = Select
Fields = dict[str, ColumnElement]
Config = dict[str, Any]
