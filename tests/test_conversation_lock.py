"""One customer, two processes: mid-booking, the address goes to one process and the phone
to another at the same moment; both are applied (one turn at a time per conversation,
through a PostgreSQL advisory lock), and the confirmation books a visit with both."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import select
from test_dialog_helpers import say

from bot.context import build_services
from storage.models import ServiceTicket
from tests.conftest import NOW, make_settings

BOOKING = "明天上午来修一下客厅的格力空调 不制冷"
ADDRESS = "上海市浦东新区张江路88弄3号501室"
PHONE = "13812345678"
CUSTOMERS = 6

pytestmark = pytest.mark.postgres


@pytest.fixture
def slow_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """A loaded database: a turn's read of the conversation takes a while, so the two
    turns overlap (without a lock both would read the session before either saved)."""
    from storage.repos import turns

    real = turns.load_many

    async def slow(*args, **kwargs):
        found = await real(*args, **kwargs)
        await asyncio.sleep(0.05)
        return found

    monkeypatch.setattr(turns, "load_many", slow)


async def test_two_messages_of_one_customer_on_two_processes_are_both_applied(
    pg_url, tmp_path, slow_reads
):
    settings = make_settings(tmp_path / "unused.db", database={"url": pg_url})
    one, two = build_services(settings, now=NOW), build_services(settings, now=NOW)
    users = [f"o-two-{i}-{uuid.uuid4().hex[:6]}" for i in range(CUSTOMERS)]
    try:

        async def book(user: str) -> str:
            await say(one, BOOKING, user=user)
            await asyncio.gather(say(one, ADDRESS, user=user), say(two, PHONE, user=user))
            return await say(two, "确认", user=user)

        confirmations = await asyncio.gather(*(book(u) for u in users))
        assert not [c for c in confirmations if "地址" in c and "请问" in c], confirmations
        async with one.db.session() as s:
            tickets = (await s.scalars(select(ServiceTicket))).all()
        assert len(tickets) == CUSTOMERS
        assert all(t.address and "张江路88弄" in t.address for t in tickets)
        assert all(t.phone == PHONE for t in tickets)
    finally:
        await one.close()
        await two.close()
