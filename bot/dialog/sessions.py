"""Where a conversation's state lives between messages: the database, or Redis when set.

A state is a JSON dict. ``touched_at`` (ISO, UTC) marks the last message; after
``dialog.session_idle_minutes`` idle the pending form is forgotten. A state may ask to be kept
longer (``hold_until``, e.g. while a rating is expected): the row lives until then, the form
still expires.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from bot.context import Services
from storage.repos import sessions as repo

REDIS_PREFIX = "wxbot:dialog:"


def idle_minutes(services: Services) -> int:
    return int(services.settings.dialog.get("session_idle_minutes", 30))


def _expires_at(services: Services, state: dict[str, Any], now: datetime) -> datetime:
    touched = datetime.fromisoformat(state["touched_at"]) if state.get("touched_at") else now
    expires = touched + timedelta(minutes=idle_minutes(services))
    hold = state.get("hold_until")
    if hold:
        expires = max(expires, datetime.fromisoformat(hold))
    return expires


def fresh_view(services: Services, state: dict[str, Any] | None, now: datetime) -> dict[str, Any]:
    """Drop what has gone stale: the form after the idle time, a hold that has passed.

    ``state`` must be the caller's own copy (as :func:`storage.repos.sessions.loaded` and
    ``json.loads`` give): it is edited in place, never the stored row's JSON."""
    state = state if state is not None else {}
    touched = state.get("touched_at")
    if touched and now - datetime.fromisoformat(touched) > timedelta(
        minutes=idle_minutes(services)
    ):
        for key in (
            "form",
            "slots",
            "asking",
            "offer",
            "declined",
            "scratch",
            "unknowns",
            "offered_human",
        ):
            state.pop(key, None)
    hold = state.get("hold_until")
    if hold and datetime.fromisoformat(hold) <= now:
        state.pop("hold_until", None)
        state.pop("expect", None)
    return state


async def load(services: Services, user_key: str, db=None) -> dict[str, Any]:
    """The user's state ({} when none). ``db``: an open AsyncSession to read in."""
    now = services.clock.now()
    if services.redis is not None:
        raw = await services.redis.get(REDIS_PREFIX + user_key)
        state = json.loads(raw) if raw else None
    elif db is not None:
        state = await repo.load(db, user_key, now)
    else:
        async with services.db.session() as s:
            state = await repo.load(s, user_key, now)
    return fresh_view(services, state, now)


async def load_row(services: Services, user_key: str, db, row: Any) -> dict[str, Any]:
    """Like :func:`load`, with the database row already read in ``db`` (or None: no row).
    With Redis as the store the row is not used."""
    if services.redis is not None:
        return await load(services, user_key)
    now = services.clock.now()
    return fresh_view(services, repo.loaded(row, now), now)


def _stamped(
    services: Services, state: dict[str, Any], now: datetime, touch: bool
) -> tuple[dict[str, Any], datetime]:
    state = dict(state)
    if touch or not state.get("touched_at"):
        state["touched_at"] = now.isoformat()
    return state, _expires_at(services, state, now)


async def save_many(services: Services, states: list[tuple[str, dict[str, Any]]], db) -> None:
    """Persist the states of many conversations after a message each (``db``: the open
    AsyncSession, where the database is the store): one statement for them all."""
    if services.redis is not None:
        for key, state in states:
            await save(services, key, state)
        return
    if not states:
        return
    now = services.clock.now()
    stamped = [(key, *_stamped(services, state, now, True)) for key, state in states]
    await repo.save_many(db, stamped, now)


async def save(
    services: Services, user_key: str, state: dict[str, Any], db=None, *, touch: bool = True
) -> None:
    """Persist ``state``. ``touch`` stamps ``touched_at`` (a message from the person); an
    outside update (``touch=False``) keeps the idle clock as it was. ``db``: an open
    AsyncSession to write in (database store only)."""
    now = services.clock.now()
    state, expires = _stamped(services, state, now, touch)
    if services.redis is not None:
        ttl = max(1, int((expires - now).total_seconds()))
        await services.redis.set(
            REDIS_PREFIX + user_key, json.dumps(state, ensure_ascii=False), ex=ttl
        )
        return
    if db is not None:
        await repo.save(db, user_key, state, now, expires)
        return
    async with services.db.transaction() as s:
        await repo.save(s, user_key, state, now, expires)


async def update(services: Services, user_key: str, db=None, **changes: Any) -> dict[str, Any]:
    """Merge ``changes`` into a user's state from outside the conversation (e.g. expect a
    rating after a ticket is done). A ``None`` value removes the key."""
    state = await load(services, user_key, db=db)
    for key, value in changes.items():
        if value is None:
            state.pop(key, None)
        else:
            state[key] = value
    await save(services, user_key, state, db=db, touch=False)
    return state


async def clear(services: Services, user_key: str) -> None:
    if services.redis is not None:
        await services.redis.delete(REDIS_PREFIX + user_key)
        return
    async with services.db.transaction() as s:
        await repo.delete_one(s, user_key)
