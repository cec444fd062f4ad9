"""A batch's writers read as rows (storage/repos/turns.py): the ORM customer made from such
a row is the customer SQLAlchemy would load — every column typed the same — and a change
to it is written at commit; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from storage.db import Database
from storage.models import Customer, Handoff
from storage.repos import identities, sessions, turns
from tests.conftest import opened

WHEN = datetime(2026, 12, 4, 9, 30, 0, 250_000, tzinfo=UTC)


async def _check(db: Database) -> None:
    async with db.transaction() as s:
        ids = await identities.create_customers(s, "mp", "wxapp", ["o-a", "o-b", "o-c"], WHEN)
        a = await s.get(Customer, ids["o-a"])
        a.name, a.phone, a.birthday, a.home_since = "王姐", "13800000001", date(1980, 5, 6), None
        a.followed, a.unsubscribed_at = False, WHEN - timedelta(days=3)
        s.add(Handoff(customer_id=ids["o-b"], kind="human_agent", quiet_until=WHEN + timedelta(1)))
        await sessions.save_many(s, [("mp:o-a", {"form": "repair"}, WHEN + timedelta(1))], WHEN)
    async with db.session() as s:
        loaded = await s.get(Customer, ids["o-a"])
        expected = {k: getattr(loaded, k) for k in [c.key for c in Customer.__table__.columns]}

    async with db.transaction() as s:
        rows = await turns.load_many(
            s, channel="mp", account="wxapp", external_ids=["o-a", "o-b", "o-x"], now=WHEN
        )
        assert set(rows) == {"o-a", "o-b"}  # o-x is nobody yet
        assert rows["o-b"].quiet and not rows["o-a"].quiet  # a person is talking with o-b
        assert rows["o-a"].session_row.state == {"form": "repair"}
        assert rows["o-b"].session_row is None
        person = rows["o-a"].person
        assert (person.id, person.name, person.phone) == (ids["o-a"], "王姐", "13800000001")

        made = person.customer(s)
        assert {k: getattr(made, k) for k in expected} == expected  # typed as SQLAlchemy does
        assert isinstance(made.birthday, date) and made.followed is False
        assert made.unsubscribed_at == WHEN - timedelta(days=3)  # aware UTC, as loaded
        assert person.customer(s) is made  # one object per customer in a session
        assert await s.get(Customer, ids["o-a"]) is made
        assert not s.dirty  # made as stored: nothing to write
        made.address = "上海市浦东新区张江路1弄"
    async with db.session() as s:
        again = await s.get(Customer, ids["o-a"])
        assert again.address == "上海市浦东新区张江路1弄" and again.name == "王姐"

    # a customer the session holds already is the one handed out
    async with db.transaction() as s:
        held = (await s.scalars(select(Customer).where(Customer.id == ids["o-c"]))).one()
        rows = await turns.load_many(
            s, channel="mp", account="wxapp", external_ids=["o-c"], now=WHEN
        )
        assert rows["o-c"].person.customer(s) is held


async def test_turn_rows_on_sqlite(db_path):
    async with opened(f"sqlite+aiosqlite:///{db_path}") as db:
        await _check(db)


@pytest.mark.postgres
async def test_turn_rows_on_postgresql(pg_url):
    async with opened(pg_url) as db:
        await _check(db)
