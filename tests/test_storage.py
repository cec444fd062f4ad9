"""Storage on SQLite always, and on PostgreSQL when it answers: migrations, WAL, UTC times, upserts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text

from bot.context import build_services
from storage.models import Customer, OutboxMessage
from storage.repos import customers, outbox
from tests.conftest import NOW, make_settings


async def _roundtrip(services) -> None:
    beijing = timezone(timedelta(hours=8))
    local = datetime(2026, 11, 25, 18, 30, tzinfo=beijing)
    async with services.db.transaction() as s:
        assert (
            await customers.upsert_by_phone(
                s, "13800000001", {"name": "张三", "last_inbound_at": local}
            )
            == "created"
        )
    async with services.db.transaction() as s:
        assert await customers.upsert_by_phone(s, "13800000001", {"name": "张三"}) == "unchanged"
        assert await customers.upsert_by_phone(s, "13800000001", {"name": "张三丰"}) == "updated"
    async with services.db.session() as s:
        c = await s.scalar(select(Customer).where(Customer.phone == "13800000001"))
        assert c.name == "张三丰"
        assert c.last_inbound_at == datetime(
            2026, 11, 25, 10, 30, tzinfo=UTC
        )  # stored UTC, aware out
    async with services.db.transaction() as s:
        first = await outbox.enqueue(
            s, channel="mp_kf", recipient="o1", text="hi", idem_key="c1:birthday:2026"
        )
        again = await outbox.enqueue(
            s, channel="mp_kf", recipient="o1", text="hi", idem_key="c1:birthday:2026"
        )
        assert first is not None and again is None
    async with services.db.session() as s:
        assert len((await s.scalars(select(OutboxMessage))).all()) == 1


async def test_sqlite_roundtrip_and_wal(services):
    await _roundtrip(services)
    async with services.db.engine.connect() as conn:
        mode = (await conn.execute(text("PRAGMA journal_mode"))).scalar()
    assert mode == "wal"


@pytest.mark.postgres
async def test_postgres_roundtrip(pg_url, db_path):
    services = build_services(make_settings(db_path, database={"url": pg_url}), now=NOW)
    try:
        await _roundtrip(services)
    finally:
        await services.close()


def test_migrations_match_the_models(migrated_template):
    """Every model change comes with a migration: autogenerate finds nothing to do."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine

    from storage.models import Base

    engine = create_engine(f"sqlite:///{migrated_template}")
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []
