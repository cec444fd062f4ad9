"""Helpers for the issue-16 security tests (no tests here): what a request left behind,
apps with the webhooks, and a dialog stub that records what reached it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

import bot.dialog
from bot.messages import Reply
from storage.models import ChannelIdentity, Customer, InboundMessage, OutboxMessage

WRITTEN = (InboundMessage, Customer, ChannelIdentity, OutboxMessage)


async def rows(services) -> dict[str, int]:
    """How many ledger rows, customers, identities and outbox rows exist."""
    out: dict[str, int] = {}
    async with services.db.session() as s:
        for model in WRITTEN:
            out[model.__tablename__] = await s.scalar(select(func.count()).select_from(model))
    return out


async def nothing_written(services) -> bool:
    return not any((await rows(services)).values())


class Dialog:
    """Stands in for the dialog: records each inbound message, answers 收到."""

    def __init__(self) -> None:
        self.seen: list[Any] = []

    async def __call__(self, services, inbound) -> Reply:
        self.seen.append(inbound)
        return Reply(text="收到～", intent="unknown")


@pytest.fixture
def dialog(monkeypatch: pytest.MonkeyPatch) -> Dialog:
    stub = Dialog()
    monkeypatch.setattr(bot.dialog, "respond", stub)
    return stub
