"""Every intent of the service, from the routers included in one place (handlers/routers.py).

Everything that names intents derives from here and copies nothing: the dialog's routing
and shortcuts, the NLU's intent list and extra corpora, the consequence classes of the
understanding's gate, the menu and the welcome text, the admin's labels.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Iterator
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


_derived: dict[str, tuple[tuple[int, ...], Any]] = {}  # name → (stamp, value)


def _derive(name: str, build: Callable[[], Any]) -> Any:
    """``build()``, kept until a router is included or excluded, or one gains a route or
    a menu mention."""
    routes()
    stamp = (version, *(len(r.routes) + len(r.mentions) for r in _routers))
    kept = _derived.get(name)
    if kept is None or kept[0] != stamp:
        kept = _derived[name] = (stamp, build())
    return kept[1]


def _shortcut_table() -> tuple[dict[str, str], list[tuple[str, str]]]:
    whole: dict[str, str] = {}
    for name, route in routes().items():
        for words in route.shortcuts:
            whole.setdefault(words, name)  # the first declared wins, as before
    prefixes = [(p, name) for name, route in routes().items() for p in route.prefixes]
    prefixes.sort(key=lambda pn: -len(pn[0]))  # the longest prefix wins: 恢复订阅 over 订阅
    return whole, prefixes


def shortcut(normalized_text: str) -> str | None:
    """The intent a whole short message names regardless of the NLU, or None."""
    whole, prefixes = _derive("shortcuts", _shortcut_table)
    name = whole.get(normalized_text)
    if name is not None:
        return name
    if len(normalized_text) <= 12:
        for prefix, name in prefixes:
            if normalized_text.startswith(prefix):
                return name
    return None


def menu_lines() -> list[str]:
    """The numbered menu's lines: the ``menu`` entries of every route, by line."""
    return list(_derive("menu_lines", _menu_lines))


def _menu_lines() -> tuple[str, ...]:
    routes()
    lines: dict[int, list[str]] = {}
    for router in _routers:  # in the order included
        entries = [r.menu for r in router.routes if r.menu is not None] + router.mentions
        for line, words in entries:
            lines.setdefault(line, []).append(words)
    return tuple("、".join(lines[n]) for n in sorted(lines))


def menu() -> str:
    """「我可以帮您：1. …」: what the bot offers, as the greeting and the unknown reply say it."""
    return _derive("menu", _menu)


def _menu() -> str:
    numbered = "\n".join(f"{i}. {line}" for i, line in enumerate(menu_lines(), 1))
    return f"我可以帮您：\n{numbered}\n直接说需要什么就好～"


def welcome() -> str:
    """What a new follower reads."""
    lines = "\n".join(f"· {line}" for line in menu_lines())
    return f"感谢关注～我是售后小助手，可以帮您：\n{lines}\n直接发消息告诉我，或点下方菜单就好。"
