"""Every intent of the service, from the routers included in one place (handlers/routers.py).

Everything that names intents derives from here and copies nothing: the dialog's routing
and shortcuts, the NLU's intent list and extra corpora, the consequence classes of the
understanding's gate, the menu and the welcome text, the admin's labels.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bot.dialog.router import Consequence, Route, Router

ROUTERS_MODULE = "handlers.routers"  # where include_routers(...) is called for the service

_routes: dict[str, Route] = {}
_routers: list[Router] = []
_loaded = False
_lock = threading.RLock()
version = 0  # bumped on every change: what caches key on


def include_routers(*routers: Router) -> None:
    """Add the routers' intents. An intent declared twice is a mistake, said at start-up."""
    global version
    with _lock:
        for router in routers:
            if router in _routers:
                continue
            for route in router.routes:
                if route.name in _routes:
                    raise ValueError(f"intent {route.name!r} is declared twice ({router.name})")
            for route in router.routes:
                _routes[route.name] = route
            _routers.append(router)
        version += 1


def exclude_routers(*routers: Router) -> None:
    """Take routers out again (tests that add an intent of their own)."""
    global version
    with _lock:
        for router in routers:
            if router not in _routers:
                continue
            _routers.remove(router)
            for route in router.routes:
                _routes.pop(route.name, None)
        version += 1


@contextmanager
def included(*routers: Router) -> Iterator[None]:
    include_routers(*routers)
    try:
        yield
    finally:
        exclude_routers(*routers)


def _ensure() -> None:
    global _loaded
    if _loaded:
        return
    with _lock:
        if not _loaded:
            importlib.import_module(ROUTERS_MODULE)
            _loaded = True


def routes() -> dict[str, Route]:
    """Every declared intent by name (the service's routers loaded on first use)."""
    _ensure()
    return _routes


def get(name: str) -> Route | None:
    return routes().get(name)


def resolve(name: str) -> Any:
    """The Form or responder for ``name`` (the ``unknown`` one when there is none)."""
    table = routes()
    route = table.get(name) or table["unknown"]
    return route.target


def label(name: str) -> str | None:
    route = routes().get(name)
    return route.label if route is not None else None


def labels() -> dict[str, str]:
    return {name: route.label for name, route in routes().items()}


def consequence(name: str) -> Consequence:
    """What answering ``name`` does; an undeclared intent counts as ``form`` (consequential,
    never silently harmless)."""
    route = routes().get(name)
    return route.consequence if route is not None else "form"


def is_aside(name: str) -> bool:
    """Asked mid-form, ``name`` is answered and the form goes on (else the form ends)."""
    route = routes().get(name)
    return route.aside if route is not None else True


def classified() -> tuple[str, ...]:
    """The intents the NLU learns, in declaration order."""
    return tuple(name for name, route in routes().items() if route.classified)


def extra_corpora() -> tuple[Path, ...]:
    """Corpus files declared next to a feature (beyond the NLU's own corpus directory)."""
    return tuple(r.corpus for r in routes().values() if r.corpus is not None and r.classified)


def shortcut(normalized_text: str) -> str | None:
    """The intent a whole short message names regardless of the NLU, or None."""
    for name, route in routes().items():
        if normalized_text in route.shortcuts:
            return name
    if len(normalized_text) <= 12:
        best: tuple[int, str] | None = None
        for name, route in routes().items():
            for prefix in route.prefixes:  # the longest prefix wins: 恢复订阅 over 订阅
                if normalized_text.startswith(prefix) and (best is None or len(prefix) > best[0]):
                    best = (len(prefix), name)
        if best is not None:
            return best[1]
    return None


def menu_lines() -> list[str]:
    """The numbered menu's lines: the ``menu`` entries of every route, by line."""
    routes()
    lines: dict[int, list[str]] = {}
    for router in _routers:  # in the order included
        entries = [r.menu for r in router.routes if r.menu is not None] + router.mentions
        for line, words in entries:
            lines.setdefault(line, []).append(words)
    return ["、".join(lines[n]) for n in sorted(lines)]


def menu() -> str:
    """「我可以帮您：1. …」: what the bot offers, as the greeting and the unknown reply say it."""
    numbered = "\n".join(f"{i}. {line}" for i, line in enumerate(menu_lines(), 1))
    return f"我可以帮您：\n{numbered}\n直接说需要什么就好～"


def welcome() -> str:
    """What a new follower reads."""
    lines = "\n".join(f"· {line}" for line in menu_lines())
    return f"感谢关注～我是售后小助手，可以帮您：\n{lines}\n直接发消息告诉我，或点下方菜单就好。"
