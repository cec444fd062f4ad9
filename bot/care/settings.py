"""The ``care:`` section of config.yaml, with defaults for every knob."""

from __future__ import annotations

from typing import Any

from bot.config import Settings

OUTBOX_DEFAULTS: dict[str, Any] = {
    "batch": 500,  # rows claimed per dispatch pass
    "concurrency": 32,  # sends in flight per process
    "lease_s": 300,  # a 'sending' row older than this is taken over
    "max_attempts": 6,  # network / 5xx retries before a dead letter
    "backoff_s": 30,  # first retry delay, doubled each time
    "backoff_max_s": 3600,
    "rate_limit_backoff_s": 600,  # 45009 / 45047
}


def care_config(settings: Settings) -> dict[str, Any]:
    return settings.care or {}


def outbox_config(settings: Settings) -> dict[str, Any]:
    return {**OUTBOX_DEFAULTS, **(care_config(settings).get("outbox") or {})}
