"""Accepted means recorded: when storage cannot take a message, the webhook answers 503 (so
WeChat retries), the ledger holds nothing half-written, /healthz says why, and the log says
it once. When storage is back, the retry is answered."""

from __future__ import annotations

import asyncio
import logging
import socket
import uuid
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import event, select

from bot.app import create_app
from bot.context import build_services
from storage.models import InboundMessage
from tests.conftest import NOW, make_settings
from tests.fakes import wxmsg
from tests.fakes.mp import mp_sender
from tests.fakes.proxy import TcpProxy

TS = int(NOW.timestamp())


def _engines(services):
    return [e for e in (services.db.engine, services.db.inline_engine) if e is not None]


def _on_connect(services, *pragmas: str) -> None:
    """Run ``pragmas`` on every new SQLite connection of the services (both engines)."""
    for engine in _engines(services):

        @event.listens_for(engine.sync_engine, "connect")
        def _apply(dbapi_conn, _record) -> None:
            cur = dbapi_conn.cursor()
            for p in pragmas:
                cur.execute(p)
            cur.close()


async def _fresh_pools(services) -> None:
    for engine in _engines(services):
        await engine.dispose()


async def _ledger(services) -> list[InboundMessage]:
    async with services.db.session() as s:
        return list(await s.scalars(select(InboundMessage)))


async def _health(client) -> tuple[int, dict]:
    resp = await client.get("/healthz")
    return resp.status, await resp.json()


@pytest.fixture
async def client(services):
    async with TestClient(TestServer(create_app(services))) as c:
        yield c


async def test_a_read_only_database_answers_503_and_healthz_says_so(services, client, caplog):
    # root ignores file modes, so the database is opened read-only by SQLite itself
    _on_connect(services, "PRAGMA query_only=ON")
    await _fresh_pools(services)
    sender = mp_sender(client, services)
    with caplog.at_level(logging.WARNING):
        for n in range(3):
            status, _ = await sender.post(wxmsg.text("o-ro", "你好", msg_id=9100 + n))
            assert status == 503
    lines = [r for r in caplog.records if "storage unavailable" in r.getMessage()]
    assert lines and "read-only" in lines[0].getMessage()
    assert len([r for r in lines if r.name == "bot.faults"]) <= 2  # once, not per request
    assert not any(r.exc_info for r in caplog.records)  # no traceback per request
    status, body = await _health(client)
    assert status == 503 and "read-only" in body["reason"]


async def test_a_full_disk_answers_503_and_healthz_says_so(services, client, monkeypatch):
    _on_connect(services, "PRAGMA max_page_count=1")  # clamps at the current size: no growth
    await _fresh_pools(services)
    sender = mp_sender(client, services)
    # fill what room the last pages have left, as a full disk would
    for n in range(40):
        status, reply = await sender.post(wxmsg.text(f"o-full-{n}", "你好" * 200, msg_id=9200 + n))
        if status == 503:
            break
    assert status == 503, "the database never filled up"
    import bot.health

    monkeypatch.setattr(bot.health, "free_disk_mb", lambda _path: 12.0)
    status, body = await _health(client)
    assert status == 503 and "disk" in body["reason"]


async def test_healthz_checks_free_disk_against_the_configured_minimum(tmp_path, db_path):
    settings = make_settings(db_path, health={"min_free_disk_mb": 10**9})
    svc = build_services(settings, now=NOW)
    try:
        async with TestClient(TestServer(create_app(svc, channels=False))) as c:
            status, body = await _health(c)
        assert status == 503 and body["disk"] == "low"
    finally:
        await svc.close()


async def test_an_unmigrated_database_answers_503_and_healthz_says_so(tmp_path: Path):
    settings = make_settings(tmp_path / "empty.db")
    svc = build_services(settings, now=NOW)
    try:
        async with TestClient(TestServer(create_app(svc))) as c:
            status, _ = await mp_sender(c, svc).post(wxmsg.text("o-new", "你好", msg_id=9300))
            assert status == 503
            status, body = await _health(c)
        assert status == 503 and body["schema"] == "not at head"
        assert "wxbot db upgrade" in body["reason"]
    finally:
        await svc.close()


async def test_healthz_is_ok_with_a_migrated_database_and_writes_a_probe(services, client):
    status, body = await _health(client)
    assert status == 200, body
    assert body["database"] == body["schema"] == body["write"] == body["disk"] == "ok"


@pytest.mark.postgres
async def test_postgresql_away_answers_503_and_the_retry_after_it_returns_is_answered(pg_url):
    proxy = await TcpProxy(5432).open()
    url = pg_url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
    svc = build_services(make_settings(Path("/nonexistent.db"), database={"url": url}), now=NOW)
    try:
        async with TestClient(TestServer(create_app(svc))) as c:
            sender = mp_sender(c, svc)
            status, reply = await sender.post(wxmsg.text("o-pg", "你好", msg_id=9400))
            assert status == 200 and reply.get("Content")
            await proxy.close()
            body = wxmsg.text("o-pg", "你好呀", msg_id=9401)
            status, _ = await sender.post(body)
            assert status == 503
            status, health = await _health(c)
            assert status == 503 and health["database"] == "unreachable"
            await proxy.open()  # the server is back: WeChat's retry is answered
            status, reply = await sender.post(body)
            assert status == 200 and reply.get("Content")
            assert (await _health(c))[0] == 200
            assert {m.status for m in await _ledger(svc)} == {"done"}
    finally:
        await proxy.close()
        await svc.close()


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.redis
async def test_redis_away_answers_503_and_leaves_no_done_row_without_a_reply(db_path):
    if not _redis_up():
        pytest.skip("Redis not reachable at 127.0.0.1:6379")
    proxy = await TcpProxy(6379).open()
    settings = make_settings(db_path, redis={"url": f"redis://127.0.0.1:{proxy.port}/0"})
    svc = build_services(settings, now=NOW)
    user = f"o-redis-{uuid.uuid4().hex[:8]}"
    try:
        async with TestClient(TestServer(create_app(svc))) as c:
            sender = mp_sender(c, svc)
            await proxy.close()
            body = wxmsg.text(user, "我要投诉，空调修了三次还是坏的", msg_id=9500)
            status, _ = await sender.post(body)
            assert status == 503
            assert await _ledger(svc) == []  # nothing half-written
            status, health = await _health(c)
            assert status == 503 and health["redis"] == "unreachable"
            await proxy.open()
            status, reply = await sender.post(body)  # WeChat's retry
            assert status == 200 and reply.get("Content")
            assert [(m.status, bool(m.reply)) for m in await _ledger(svc)] == [("done", True)]
    finally:
        await proxy.close()
        await svc.close()


async def test_a_database_that_hangs_answers_503_within_the_budget_and_the_retry_is_answered(
    services, client, db_path, monkeypatch
):
    import sqlite3

    from bot.channels import dedup

    monkeypatch.setattr(dedup, "CLAIM_TIMEOUT_S", 0.5)
    blocker = sqlite3.connect(db_path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    sender = mp_sender(client, services)
    body = wxmsg.text("o-slow", "你好", msg_id=9600)
    try:
        status, _ = await sender.post(body)
        assert status == 503
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    writer = dedup._writer(services)
    for _ in range(500):  # the late claim commits, and is given back (10 s: a busy CI box)
        idle = writer.task is None or writer.task.done()
        if idle and not writer.releases and await _ledger(services) == []:
            break
        await asyncio.sleep(0.02)
    assert await _ledger(services) == []  # nothing half-written
    status, reply = await sender.post(body)  # WeChat's retry
    assert status == 200 and reply.get("Content"), reply
    assert [m.status for m in await _ledger(services)] == ["done"]
