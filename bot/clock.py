"""The one source of "now". Tests and ``--now`` freeze it; everything else asks it."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo


class Clock:
    def __init__(self, tz: tzinfo, frozen: datetime | None = None):
        self.tz = tz
        self._frozen = frozen.astimezone(UTC) if frozen else None

    def now(self) -> datetime:
        """Aware UTC now."""
        return self._frozen if self._frozen is not None else datetime.now(UTC)

    def local_now(self) -> datetime:
        """Now in the configured time zone."""
        return self.now().astimezone(self.tz)

    def freeze(self, at: datetime) -> None:
        if at.tzinfo is None:
            at = at.replace(tzinfo=self.tz)
        self._frozen = at.astimezone(UTC)

    def thaw(self) -> None:
        self._frozen = None


def parse_now(value: str | None, tz: tzinfo) -> datetime | None:
    """``--now`` values: ISO 8601; a naive one is read in the configured time zone."""
    if not value:
        return None
    dt = datetime.fromisoformat(value)
    return dt if dt.tzinfo else dt.replace(tzinfo=tz)
