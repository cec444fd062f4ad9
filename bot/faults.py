"""Storage faults: what counts as "cannot record a message now", and one log line for it.

A message is accepted (a 2xx to WeChat) only once it is in the ledger. When the database
or Redis cannot take it — unreachable, read-only, full, not migrated — the webhook answers
503 so WeChat retries, and the log gets one clear line per kind of fault per minute, not a
traceback per request.
"""

from __future__ import annotations

import logging
import time

from aiohttp import web

log = logging.getLogger("bot.faults")

REPEAT_EVERY_S = 60.0


class StorageUnavailable(Exception):
    """The message could not be recorded (or its turn could not be stored): retry later."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason

    def response(self, channel: str) -> web.Response:
        """503: WeChat retries (3 tries in all); the log line is rate-limited."""
        report(f"{channel}: storage unavailable ({self.reason}); answered 503 so WeChat retries")
        return web.Response(status=503, text=f"storage unavailable: {self.reason}")


def _chain(exc: BaseException):
    """The exception, what caused it, and (for SQLAlchemy's wrappers) the driver's error."""
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        cur = todo.pop(0)
        if id(cur) in seen:
            continue
        seen.add(id(cur))
        yield cur
        orig = getattr(cur, "orig", None)
        if isinstance(orig, BaseException):
            todo.append(orig)
        nxt = cur.__cause__ or cur.__context__
        if nxt is not None:
            todo.append(nxt)


def reason_of(exc: BaseException) -> str | None:
    """A short reason when ``exc`` is a storage fault (None: a bug, not an outage)."""
    from sqlalchemy import exc as sa_exc

    wrapper: str | None = None
    for e in _chain(exc):
        if isinstance(e, StorageUnavailable):
            return e.reason
        if isinstance(e, sa_exc.IntegrityError | sa_exc.DataError):
            return None  # a bad value or a conflict: the code's business, not an outage
        text = str(e).lower()
        name = type(e).__name__
        if "readonly" in text or "read-only" in text or "read only" in text:
            return "database is read-only"
        if "disk is full" in text or "disk full" in text or "no space left" in text:
            return "disk full"
        if (
            "no such table" in text
            or "undefinedtable" in name.lower()
            or ("relation" in text and "does not exist" in text)
        ):
            return "database schema not migrated"
        if "database" in text and "does not exist" in text:
            return "database does not exist"
        if type(e).__module__.startswith("redis"):
            return f"redis unavailable ({name})"
        if isinstance(e, sa_exc.TimeoutError):
            return "database busy (no free connection in the pool)"
        if isinstance(e, sa_exc.DBAPIError):
            wrapper = wrapper or name
            continue  # the driver's own error, further down the chain, says more
        if isinstance(e, sa_exc.SQLAlchemyError | OSError | ConnectionError | TimeoutError):
            return f"database unavailable ({name}: {_first_line(e)})"
        if type(e).__module__.startswith(("asyncpg", "sqlite3", "aiosqlite")):
            return f"database unavailable ({name}: {_first_line(e)})"
    return f"database unavailable ({wrapper})" if wrapper else None


def _first_line(e: BaseException) -> str:
    return (str(e).strip().splitlines() or [""])[0][:120]


def unavailable(exc: BaseException) -> StorageUnavailable | None:
    """``exc`` as a :class:`StorageUnavailable`, or None when it is not a storage fault."""
    reason = reason_of(exc)
    return None if reason is None else StorageUnavailable(reason)


class _Throttle:
    """Each distinct line at most once per ``REPEAT_EVERY_S``, with how many were held back."""

    def __init__(self) -> None:
        self.last: dict[str, tuple[float, int]] = {}

    def report(self, line: str, level: int = logging.WARNING) -> bool:
        now = time.monotonic()
        seen = self.last.get(line)
        if seen is not None and now - seen[0] < REPEAT_EVERY_S:
            self.last[line] = (seen[0], seen[1] + 1)
            return False
        held = seen[1] if seen else 0
        self.last[line] = (now, 0)
        log.log(level, "%s%s", line, f" (and {held} more like it)" if held else "")
        return True


_throttle = _Throttle()


def report(line: str, level: int = logging.WARNING) -> bool:
    """Log ``line`` unless the same line was logged in the last minute. True when logged."""
    return _throttle.report(line, level)
