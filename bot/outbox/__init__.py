"""The outbox: every outgoing message is a row first, then sent by the dispatcher."""

from __future__ import annotations

from bot.outbox.dispatcher import deliver_soon, dispatch_all_due, dispatch_due

__all__ = ["deliver_soon", "dispatch_all_due", "dispatch_due"]
