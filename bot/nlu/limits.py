"""How much of a message the bot reads, and what is parsed on the event loop.

* :data:`MAX_TEXT_CHARS` — a message is cut to its first 500 characters before any step
  (normalisation, entities, intent, the dialog's own patterns); the rest is ignored. WeChat's
  own text limit is about 2,048 bytes (~680 Chinese characters); an after-sales message is a
  sentence or two. Config: ``nlu.max_text_chars``.
* :data:`INLINE_CHARS` — a message up to this length is parsed on the event loop (well under
  a few milliseconds even at its worst); a longer one in a worker thread, so one long message
  never holds the webhook, the admin and ``/healthz`` for more than the interpreter's switch
  interval (5 ms).
* :data:`STAFF_MAX_CHARS` — the same cut for what staff send the WeCom app (commands and
  group posts, which may be longer than a customer's message).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MAX_TEXT_CHARS = 500
INLINE_CHARS = 64
STAFF_MAX_CHARS = 2000  # a staff command or group post (WeCom's text limit is 2,048 bytes)


def max_chars(nlu_config: Mapping[str, Any] | None) -> int:
    """``nlu.max_text_chars`` of a config (at least 1), else :data:`MAX_TEXT_CHARS`."""
    value = (nlu_config or {}).get("max_text_chars")
    return max(1, int(value)) if value is not None else MAX_TEXT_CHARS


def clip(text: str, limit: int = MAX_TEXT_CHARS) -> str:
    """The head of ``text``: its first ``limit`` characters."""
    return text if len(text) <= limit else text[:limit]
