"""The steps a message passes before it is routed, as one ordered chain (Slack Bolt's
``app.use``): each step answers the message (a :class:`Reply`) or lets it go on (None).

The engine's own steps (bot/dialog/engine.py) are, in order: ``confirmed`` (是 to a
question the policy asked), ``postpone`` (考虑一下 mid-form), ``cancel``, ``offered_human``
(是 after two misses), ``shortcut`` (a whole message or a menu click naming an intent; it
never answers), ``form`` (the pending form takes the message) and ``acknowledgement``
(收到, 谢谢: thanked, not acted on). Features put theirs in between, by name, where the
routers are included (handlers/routers.py):

    use(booking_change.follow_up, name="booking_follow_up", after="confirmed")
    use(rating_step, name="rating", after="shortcut")

What no step answers is routed by its intent (``dispatch``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.dialog.forms import Turn
    from bot.messages import Reply

Step = Callable[["Turn"], Awaitable["Reply | None"]]


@dataclass(frozen=True)
class Middleware:
    name: str
    step: Step


_chain: list[Middleware] = []


def use(step: Step, *, name: str, before: str | None = None, after: str | None = None) -> None:
    """Add ``step`` to the chain: at the end, or just ``before`` / ``after`` a named step.
    A name used again replaces that step where it stands."""
    names = [m.name for m in _chain]
    if name in names:
        _chain[names.index(name)] = Middleware(name, step)
        return
    if before is not None and after is not None:
        raise ValueError("use before= or after=, not both")
    anchor = before or after
    if anchor is None:
        _chain.append(Middleware(name, step))
        return
    if anchor not in names:
        raise ValueError(f"no step {anchor!r} in the chain ({', '.join(names)})")
    at = names.index(anchor) + (0 if before else 1)
    _chain.insert(at, Middleware(name, step))


def remove(name: str) -> None:
    """Take a step out (tests that add one of their own)."""
    _chain[:] = [m for m in _chain if m.name != name]


def chain() -> list[Middleware]:
    """The steps in order, once the service's routers (and their steps) are included."""
    from bot.dialog import registry

    registry.routes()
    return list(_chain)


def names() -> list[str]:
    return [m.name for m in chain()]
