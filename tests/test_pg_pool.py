"""PostgreSQL's pool (storage/db.py): a connection that sat idle is pinged and replaced when
the server dropped it; one in steady use is not pinged, and when the server drops it the
next transaction gets a fresh connection."""

from __future__ import annotations

import asyncpg
import pytest
from sqlalchemy import text

from storage import db as db_module
from storage.db import Database
from tests.conftest import opened

pytestmark = pytest.mark.postgres


async def _kill_connections(url: str) -> int:
    name = url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        return len(
            await admin.fetch(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = $1 AND pid <> pg_backend_pid()",
                name,
            )
        )
    finally:
        await admin.close()


async def _one(db: Database) -> int:
    async with db.session() as s:
        return (await s.execute(text("SELECT 1"))).scalar_one()


async def test_an_idle_connection_the_server_dropped_is_replaced_unseen(pg_url, monkeypatch):
    async with opened(pg_url) as db:
        assert await _one(db) == 1
        assert await _kill_connections(pg_url) == 1  # e.g. a restart while the pool sat idle
        monkeypatch.setattr(db_module, "PING_WHEN_IDLE_S", 0.0)  # it has been idle long enough
        assert await _one(db) == 1  # pinged, found gone, replaced: nobody sees an error


async def test_a_busy_connection_is_not_pinged_and_a_dropped_one_fails_once(pg_url):
    async with opened(pg_url) as db:
        pings = 0
        real_ping = db.engine.dialect.do_ping

        def counted(conn):
            nonlocal pings
            pings += 1
            return real_ping(conn)

        db.engine.dialect.do_ping = counted  # type: ignore[method-assign]
        for _ in range(5):
            assert await _one(db) == 1
        assert pings == 0  # in steady use: no round trip spent on pinging
        await _kill_connections(pg_url)
        with pytest.raises(Exception):  # noqa: B017 - the statement meets the dropped connection
            await _one(db)
        assert await _one(db) == 1  # the pool was dropped: a fresh connection
