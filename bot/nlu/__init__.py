"""Understanding one message: normalise → jieba tokens → intent + entities.

Public surface:

* :func:`parse` — ``parse(text, now=None, tz=None) -> Parse`` with the configured pipeline
  (built on first use, or by :func:`configure` / :func:`warm_up_in_background`).
* :func:`parse_with_settings` — the same, for a given :class:`bot.config.Settings`.
* :func:`configure` — build the pipeline from a Settings (dictionaries, threshold, timezone).
* :func:`warm_up_in_background` — load jieba and train the classifier in a daemon thread so
  the first message does not pay for it; ``parse`` waits for it if called meanwhile.
* :func:`aparse` — for async code: ``parse_with_settings`` that never blocks the event loop
  (runs in a worker thread until the pipeline is ready); :func:`is_ready`.
* :class:`Parse`, :class:`Entity`; :func:`bot.nlu.entities.datetime.is_past`.
"""

from __future__ import annotations

import threading
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from bot.nlu.types import Entity, Parse

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.nlu.core import Pipeline

__all__ = [
    "Entity",
    "Parse",
    "aparse",
    "configure",
    "parse",
    "parse_with_settings",
    "current_pipeline",
    "warm_up_in_background",
]

_lock = threading.Lock()
_pipeline: Pipeline | None = None  # the current one, used by parse()
_config_key: tuple | None = None
_last_settings: Settings | None = None  # held, so "is" compares the very same object
_built: dict[tuple, Pipeline] = {}  # every configuration built so far (tests switch configs)
_warm_thread: threading.Thread | None = None


def _key(nlu_config: dict[str, Any] | None, tz_name: str | None) -> tuple:
    from bot.dialog import registry

    registry.routes()  # the included routers decide the intents and any extra corpus
    return (repr(sorted((nlu_config or {}).items())), tz_name, registry.version)


def configure(settings: Settings | None = None) -> Pipeline:
    """Make the pipeline for these settings the current one, building it if needed
    (blocking: ~0.3 s of CPU the first time, then reused)."""
    global _pipeline, _config_key, _last_settings
    if (
        settings is not None
        and _pipeline is not None
        and settings is _last_settings
        and _config_key is not None
        and _config_key[-1] == _registry_version()
    ):
        return _pipeline
    from zoneinfo import ZoneInfo

    from bot.nlu.core import Pipeline

    cfg = dict(settings.nlu) if settings is not None else None
    tz_name = settings.timezone if settings is not None else None
    key = _key(cfg, tz_name)
    with _lock:
        if settings is None and _pipeline is not None:
            return _pipeline  # no settings: keep whatever is configured
        if key not in _built:
            _built[key] = Pipeline(cfg, ZoneInfo(tz_name) if tz_name else None)
        _pipeline, _config_key, _last_settings = _built[key], key, settings
        return _pipeline


def _registry_version() -> int:
    from bot.dialog import registry

    return registry.version


def is_ready() -> bool:
    """True once the pipeline is built: ``parse`` then answers in well under a millisecond."""
    return _pipeline is not None


def current_pipeline() -> Pipeline:
    """The current pipeline; if nothing configured it yet, the one of config.yaml (or the
    built-in defaults when there is no loadable config)."""
    if _pipeline is None and _warm_thread is not None and _warm_thread.is_alive():
        _warm_thread.join()  # a warm-up is under way: use what it builds
    return _pipeline if _pipeline is not None else configure(_file_settings())


def _file_settings() -> Settings | None:
    try:
        from bot.config import load_settings

        return load_settings()
    except Exception:  # no config here: the built-in dictionaries and threshold will do
        return None


def parse(text: str, now: datetime | None = None, tz: tzinfo | None = None) -> Parse:
    """Intent and entities of one message; relative dates resolve against ``now`` in ``tz``."""
    return current_pipeline().parse(text, now=now, tz=tz)


def parse_with_settings(text: str, settings: Settings, now: datetime | None = None) -> Parse:
    """``parse`` with the dictionaries, threshold and timezone of ``settings``."""
    return configure(settings).parse(text, now=now, tz=settings.tz)


async def aparse(text: str, settings: Settings, now: datetime | None = None) -> Parse:
    """``parse_with_settings`` for the event loop: off the loop thread while still warming up,
    and for a message longer than ``INLINE_CHARS`` (bot/nlu/limits.py)."""
    from bot.nlu.limits import INLINE_CHARS

    if is_ready() and settings is _last_settings and len(text) <= INLINE_CHARS:
        return parse_with_settings(text, settings, now)
    import asyncio

    return await asyncio.to_thread(parse_with_settings, text, settings, now)


def warm_up_in_background(settings: Settings | None = None) -> threading.Thread:
    """Start loading jieba and training the classifier in a daemon thread (with ``settings``,
    else config.yaml's, else the built-in defaults)."""
    global _warm_thread

    def run() -> None:
        configure(settings if settings is not None else _file_settings())

    t = threading.Thread(target=run, name="nlu-warm-up", daemon=True)
    _warm_thread = t
    t.start()
    return t
