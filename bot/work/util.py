"""Small helpers the staff handlers share: day bounds, masking, dates in the local zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from bot.context import Services


def today(services: Services) -> date:
    return services.clock.local_now().date()


def day_bounds(services: Services, day: date) -> tuple[datetime, datetime]:
    """[start, end) of a local day, in UTC."""
    start = datetime.combine(day, time(0), services.settings.tz).astimezone(UTC)
    return start, start + timedelta(days=1)


def mask_phone(phone: str | None) -> str:
    if not phone:
        return ""
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "****"


def local_day(services: Services, at: datetime | None) -> str:
    if at is None:
        return ""
    d = at.astimezone(services.settings.tz)
    return f"{d.month}月{d.day}日"


def yuan(fen: int | None) -> str:
    if fen is None:
        return ""
    y = fen / 100
    return f"{y:.0f}元" if y == int(y) else f"{y:.2f}元"
