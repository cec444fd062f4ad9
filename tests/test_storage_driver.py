"""The hot path's statements on the driver's connection (storage/driver.py): inside the
session's own transaction, and their rows read back by SQLAlchemy as if it wrote them —
on SQLite (inline and threaded) and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from storage.db import Database
from storage.models import ChannelIdentity, ConversationSession, Customer, InboundMessage
from storage.repos import identities, inbound, sessions
from tests.conftest import opened

WHEN = datetime(2026, 12, 4, 9, 30, 0, tzinfo=UTC)  # microsecond 0: the text form keeps .000000


def _row(key: str) -> dict:
    return {
        "dedup_key": key,
        "channel": "mp",
        "from_user": "o-1",
        "msg_type": "text",
        "text": "你好",
        "received_at": WHEN,
        "owner": "p1",
    }


async def _check(db: Database, short: bool) -> None:
    class Boom(Exception):
        pass

    # a claim rolled back with its transaction (the driver's statement is inside it)
    with pytest.raises(Boom):
        async with db.transaction(short=short) as s:
            assert await inbound.claim_many(s, [_row("k-rolled-back")]) == {"k-rolled-back"}
            raise Boom
    async with db.transaction(short=short) as s:
        assert await inbound.claim_many(s, [_row("k1"), _row("k2")]) == {"k1", "k2"}
        # a retry's claim is not new; a key twice in one batch counts once
        assert await inbound.claim_many(s, [_row("k1"), _row("k3"), _row("k3")]) == {"k3"}
        await inbound.finish_many(s, [("k1", '{"text": "您好"}', "greeting")])
    async with db.session() as s:
        got = {
            m.dedup_key: m
            for m in await s.scalars(select(InboundMessage).order_by(InboundMessage.id))
        }
    assert set(got) == {"k1", "k2", "k3"}
    assert got["k1"].status == "done" and got["k1"].intent == "greeting"
    assert got["k2"].status == "processing" and got["k2"].received_at == WHEN
    assert got["k1"].text == "你好" and got["k1"].owner == "p1"

    # the 48-hour window: last_inbound_at as SQLAlchemy reads it back
    async with db.transaction(short=short) as s:
        created = await identities.create_customers(s, "mp", "wxapp", ["o-a", "o-b"], WHEN)
    later = WHEN + timedelta(hours=1, microseconds=123)
    async with db.transaction(short=short) as s:
        found = await identities.touch_customers(s, "mp", "wxapp", ["o-a", "o-x", "o-a"], later)
    assert found == {"o-a": created["o-a"]}
    async with db.session() as s:
        a = await s.get(Customer, created["o-a"])
        b = await s.get(Customer, created["o-b"])
    assert a.last_inbound_at == later and b.last_inbound_at == WHEN
    # two identities of one customer (a merge, say) in one batch: both found, both touched
    async with db.transaction(short=short) as s:
        s.add(ChannelIdentity(customer_id=a.id, channel="mp", account="wxapp", external_id="o-a2"))
    latest = later + timedelta(minutes=1)
    async with db.transaction(short=short) as s:
        found = await identities.touch_customers(s, "mp", "wxapp", ["o-a", "o-a2", "o-b"], latest)
    assert found == {"o-a": a.id, "o-a2": a.id, "o-b": b.id}
    async with db.session() as s:
        touched = [(await s.get(Customer, c)).last_inbound_at for c in (a.id, b.id)]
    assert touched == [latest, latest]

    # conversations: saved whether or not they have a row, read back by both paths
    expires = WHEN + timedelta(minutes=30)
    async with db.transaction(short=short) as s:
        await sessions.save_many(
            s, [("mp:o-a", {"form": "repair", "slots": {"设备": "空调"}}, expires)], WHEN
        )
        await sessions.save_many(s, [("mp:o-a", {"form": "repair", "n": 2}, expires)], WHEN)
    async with db.session() as s:
        row = await s.get(ConversationSession, "mp:o-a")
        assert row.state == {"form": "repair", "n": 2} and row.expires_at == expires
        assert await sessions.load(s, "mp:o-a", WHEN) == {"form": "repair", "n": 2}
        assert await sessions.load(s, "mp:o-a", expires) is None  # expired
        assert await sessions.load(s, "mp:nobody", WHEN) is None


async def test_the_driver_path_on_sqlite_inline_and_threaded(db_path):
    async with opened(f"sqlite+aiosqlite:///{db_path}") as db:
        assert db.inline_engine is not None
        await _check(db, short=True)  # the inline connection (the request path)


async def test_the_driver_path_on_sqlite_threaded(db_path):
    async with opened(f"sqlite+aiosqlite:///{db_path}") as db:
        await _check(db, short=False)  # aiosqlite's worker thread


@pytest.mark.postgres
async def test_the_driver_path_on_postgresql(pg_url):
    async with opened(pg_url) as db:
        await _check(db, short=True)


async def test_a_naive_time_is_refused_as_sqlalchemy_refuses_it(db_path):
    async with opened(f"sqlite+aiosqlite:///{db_path}") as db:
        row = _row("k-naive") | {"received_at": datetime(2026, 12, 4, 9, 30)}
        with pytest.raises(ValueError, match="naive"):
            async with db.transaction(short=True) as s:
                await inbound.claim_many(s, [row])
