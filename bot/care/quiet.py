"""Quiet hours: a local-time window (default 21:00–08:30) when care messages wait."""

from __future__ import annotations

from datetime import datetime, time, timedelta


def parse_hhmm(value: str) -> time:
    h, m = value.split(":")
    return time(int(h), int(m))


class QuietHours:
    def __init__(self, start: str = "21:00", end: str = "08:30") -> None:
        self.start = parse_hhmm(start)
        self.end = parse_hhmm(end)

    @classmethod
    def from_config(cls, care: dict) -> QuietHours:
        q = care.get("quiet_hours") or ["21:00", "08:30"]
        return cls(q[0], q[1])

    def contains(self, local: datetime) -> bool:
        t = local.timetz().replace(tzinfo=None)
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= t < self.end
        return t >= self.start or t < self.end

    def defer(self, local: datetime) -> datetime:
        """``local`` itself when outside quiet hours, else the end of the quiet window."""
        if not self.contains(local):
            return local
        end = local.replace(hour=self.end.hour, minute=self.end.minute, second=0, microsecond=0)
        if end <= local:
            end += timedelta(days=1)
        return end
