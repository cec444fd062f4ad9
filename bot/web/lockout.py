"""Failed admin logins, kept in bounded memory.

A key is the SHA-256 of (client address, user name cut to :data:`NAME_CHARS`), so a
60 KB user name costs 32 bytes. The store keeps at most ``max_entries`` keys, least
recently failed first out, and forgets a key once its failures are older than the window;
each key keeps at most ``limit`` times. Memory does not grow with the number of attempts.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from datetime import datetime, timedelta

NAME_CHARS = 64


def key_of(*parts: str) -> bytes:
    """A fixed-size key for (address, user name…); each part is cut to NAME_CHARS first."""
    joined = "\x00".join(p[:NAME_CHARS] for p in parts)
    return hashlib.sha256(joined.encode("utf-8", "surrogatepass")).digest()


class LockoutStore:
    """Failure times per key: ``limit`` failures within ``window`` lock the key."""

    def __init__(self, *, limit: int, window: timedelta, max_entries: int):
        self.limit = limit
        self.window = window
        self.max_entries = max_entries
        self._times: OrderedDict[bytes, list[datetime]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._times)

    def _recent(self, key: bytes, now: datetime) -> list[datetime]:
        times = self._times.get(key)
        if times is None:
            return []
        kept = [t for t in times if now - t < self.window]
        if not kept:
            del self._times[key]
        elif len(kept) != len(times):
            self._times[key] = kept
        return kept

    def locked(self, key: bytes, now: datetime) -> bool:
        return len(self._recent(key, now)) >= self.limit

    def failed(self, key: bytes, now: datetime) -> None:
        self._expire(now)
        times = self._recent(key, now)
        times = [*times, now][-self.limit :]
        self._times[key] = times
        self._times.move_to_end(key)
        while len(self._times) > self.max_entries:
            self._times.popitem(last=False)

    def clear(self, key: bytes) -> None:
        self._times.pop(key, None)

    def _expire(self, now: datetime) -> None:
        """Drop keys whose last failure left the window (the oldest sit at the front)."""
        while self._times:
            key, times = next(iter(self._times.items()))
            if now - times[-1] < self.window:
                break
            del self._times[key]
