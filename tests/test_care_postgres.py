"""The planner and the dispatcher on PostgreSQL (127.0.0.1:5432, user postgres): a
throw-away database is created and dropped. Skipped, with the reason, when it is not there."""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.care.planner import Planner
from bot.context import build_services
from bot.outbox import dispatch_due
from storage.models import ConsumableStage, Device, OutboxMessage, ServiceTicket
from storage.repos import outbox as repo
from tests.fakes import seed_customer

pytest_plugins = ["tests.fakes.fixtures"]
pytestmark = pytest.mark.postgres
SH = ZoneInfo("Asia/Shanghai")
ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


def _pg_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
async def pg_url():
    if not _pg_up():
        pytest.skip("PostgreSQL is not answering on 127.0.0.1:5432")
    import asyncpg

    name = f"wxbot_care_{uuid.uuid4().hex[:10]}"
    try:
        conn = await asyncio.wait_for(asyncpg.connect(ADMIN), 5)
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"PostgreSQL refused a connection: {exc}")
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    from storage.migrate import upgrade

    upgrade(url)
    yield url
    conn = await asyncpg.connect(ADMIN)
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.close()


@pytest.fixture
async def pg_services(pg_url, tmp_path: Path, fake_wechat):
    from tests.conftest import NOW, make_settings

    settings = make_settings(
        tmp_path / "unused.db",
        database={"url": pg_url},
        sandbox=False,
        mp={"api_base_url": fake_wechat.base_url},
        work={"api_base_url": fake_wechat.base_url},
    )
    svc = build_services(settings, now=NOW)
    yield svc
    await svc.close()


async def test_plan_and_send_on_postgres(pg_services, fake_wechat):
    s = pg_services
    cid = await seed_customer(
        s, birthday=date(1990, 11, 25), last_inbound_at=datetime(2026, 11, 24, 9, 0, tzinfo=SH)
    )
    other = await seed_customer(s, name="赵先生", openid="o-2", home_since=date(2020, 11, 25))
    async with s.db.transaction() as tx:
        dv = Device(
            customer_id=cid,
            category="净水器",
            brand="沁园",
            purchase_date=date(2025, 12, 10),
            warranty_months=12,
        )
        tx.add(dv)
        await tx.flush()
        tx.add(
            ConsumableStage(
                device_id=dv.id,
                stage="pp",
                name="PP棉滤芯",
                life_days=180,
                last_replaced_on=date(2026, 6, 1),
            )
        )
        tx.add(
            ServiceTicket(
                number="R1",
                kind="repair",
                customer_id=other,
                status="done",
                done_at=datetime(2026, 11, 24, 15, 0, tzinfo=SH),
            )
        )
    items = [x async for x in Planner(s).preview(date(2026, 11, 25))]
    got = Counter((i["customer"], i["rule"], i["channel"]) for i in items)
    assert got == Counter(
        {
            (cid, "filter_due", "mp_kf"): 1,
            (cid, "warranty_expiry", "mp_kf"): 1,  # cap 2: the birthday waits
            (other, "post_service", "mp_template"): 1,
            (other, "home_anniversary", "guide_task"): 1,
        }
    )
    text = {i["rule"]: i["text"] for i in items}
    assert "11月28日" in text["filter_due"] and "12月10日" in text["warranty_expiry"]
    assert "6周年" in text["home_anniversary"]
    run = await Planner(s).run(date(2026, 11, 25))
    assert run["planned"] == 4
    assert (await Planner(s).run(date(2026, 11, 25)))["planned"] == 0
    await asyncio.gather(dispatch_due(s), dispatch_due(s))
    async with s.db.session() as tx:
        rows = (await tx.scalars(__import__("sqlalchemy").select(OutboxMessage))).all()
    assert Counter(r.status for r in rows) == Counter({"sent": 4})
    assert len(fake_wechat.calls("/cgi-bin/message/custom/send")) == 2
    assert len(fake_wechat.calls("/cgi-bin/message/template/send")) == 1
    assert len(fake_wechat.calls("/cgi-bin/message/send")) == 1  # the guide's task notice


async def test_claims_on_postgres_are_exclusive(pg_services, fake_wechat):
    s = pg_services
    async with s.db.transaction() as tx:
        for i in range(40):
            await repo.enqueue(
                tx,
                channel="mp_kf",
                recipient=f"o{i}",
                text="hi",
                kind="reply",
                not_before=s.clock.now(),
            )
    await asyncio.gather(*(dispatch_due(s, limit=7) for _ in range(8)))
    sent = Counter(c.json["touser"] for c in fake_wechat.calls("/cgi-bin/message/custom/send"))
    assert sent == Counter({f"o{i}": 1 for i in range(40)})


async def test_a_claim_takes_no_more_than_its_limit_on_postgres(pg_services):
    s = pg_services
    async with s.db.transaction() as tx:
        for i in range(50):
            await repo.enqueue(
                tx,
                channel="mp_kf",
                recipient=f"o{i}",
                text="hi",
                kind="reply",
                not_before=s.clock.now(),
            )
    async with s.db.transaction() as tx:
        rows = await repo.claim(tx, s.clock.now(), limit=5, lease_s=300)
    assert len(rows) == 5
