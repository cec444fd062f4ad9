"""Issue 16 item 6: logout and a password change end the session on the server."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import func, select

from bot.context import build_services
from bot.web.passwords import hash_password
from tests.conftest import NOW, make_settings
from tests.security.admin_kit import csrf_of, login, session_cookie, start


def _session_ids(html: str) -> list[str]:
    return re.findall(r'action="/admin/sessions/([0-9a-f]{16})/end"', html)


async def _rows(services) -> int:
    from storage.models import AdminSession

    async with services.db.session() as s:
        return await s.scalar(select(func.count(AdminSession.id)))


async def test_the_old_cookie_after_logout_goes_to_the_login_page(services):
    client = await start(services)
    try:
        resp = await login(client)
        old = session_cookie(resp)
        assert (await client.get("/admin", allow_redirects=False)).status == 200
        csrf = await csrf_of(client)
        assert (await client.post("/admin/logout", data={"csrf": csrf})).status == 200
        client.session.cookie_jar.update_cookies({"wxbot_admin": old})  # replayed
        again = await client.get("/admin", allow_redirects=False)
        assert again.status == 303 and again.headers["Location"].startswith("/admin/login")
        assert await _rows(services) == 0
    finally:
        await client.close()


async def test_a_password_change_ends_every_session(db_path, monkeypatch):
    monkeypatch.setenv("WXBOT_ADMIN_SECRET", "the-same-secret-across-restarts")
    monkeypatch.setenv("WXBOT_ADMIN_PASSWORD_HASH", hash_password("first-password"))
    first = build_services(make_settings(db_path), now=NOW)
    client = await start(first)
    try:
        old = session_cookie(await login(client, password="first-password"))
        assert (await client.get("/admin", allow_redirects=False)).status == 200
    finally:
        await client.close()
        await first.close()
    # the operator sets a new hash and restarts
    monkeypatch.setenv("WXBOT_ADMIN_PASSWORD_HASH", hash_password("second-password"))
    second = build_services(make_settings(db_path), now=NOW)
    client = await start(second)
    try:
        client.session.cookie_jar.update_cookies({"wxbot_admin": old})
        resp = await client.get("/admin", allow_redirects=False)
        assert resp.status == 303 and resp.headers["Location"].startswith("/admin/login")
        assert (await login(client, password="first-password")).status == 401
        assert (await login(client, password="second-password")).status == 303
        page = await (await client.get("/admin")).text()
        assert len(_session_ids(page)) == 1  # only the new one is listed
        assert await _rows(second) == 1  # the old row is gone from the table
    finally:
        await client.close()
        await second.close()


async def test_the_console_lists_sessions_and_ends_another(services):
    alice, bob = await start(services), await start(services)
    try:
        assert (await login(alice)).status == 303
        assert (await login(bob)).status == 303
        page = await (await alice.get("/admin")).text()
        assert "当前登录" in page and "127.0.0.1" in page and "（本机）" in page
        ids = _session_ids(page)
        assert len(ids) == 2
        mine = re.search(r"（本机）.*?/admin/sessions/([0-9a-f]{16})/end", page, re.S).group(1)
        other = next(i for i in ids if i != mine)
        # CSRF is still required to end one
        refused = await alice.post(f"/admin/sessions/{other}/end", data={}, allow_redirects=False)
        assert refused.status == 403
        assert (await bob.get("/admin", allow_redirects=False)).status == 200
        csrf = await csrf_of(alice)
        ended = await alice.post(
            f"/admin/sessions/{other}/end", data={"csrf": csrf}, allow_redirects=False
        )
        assert ended.status == 303 and "session-ended" in ended.headers["Location"]
        assert "已结束该登录" in await (await alice.get(ended.headers["Location"])).text()
        assert (await bob.get("/admin", allow_redirects=False)).status == 303
        assert (await alice.get("/admin", allow_redirects=False)).status == 200
    finally:
        await alice.close()
        await bob.close()


async def test_csrf_of_another_session_does_not_pass(services):
    alice, bob = await start(services), await start(services)
    try:
        await login(alice)
        await login(bob)
        bobs = await csrf_of(bob)
        resp = await alice.post("/admin/logout", data={"csrf": bobs}, allow_redirects=False)
        assert resp.status == 403
    finally:
        await alice.close()
        await bob.close()


@pytest.fixture
async def redis_keys(services):
    """The local Redis as ``services.redis`` and a key prefix of this test's own (its keys
    deleted after); skipped when Redis is not reachable."""
    import redis.asyncio as aioredis

    r = aioredis.from_url("redis://127.0.0.1:6379/0", decode_responses=True)
    try:
        await r.ping()
    except Exception as exc:  # noqa: BLE001
        await r.aclose()
        pytest.skip(f"Redis not reachable: {exc}")
    services.redis = r  # closed with the services
    prefix = f"test:wxbot:{uuid.uuid4().hex}:"
    yield r, prefix
    keys = [k async for k in r.scan_iter(f"{prefix}*")]
    if keys:
        await r.delete(*keys)


async def test_sessions_in_redis_end_at_logout(services, redis_keys):
    from bot.web.admin.session import STORE
    from bot.web.sessions import RedisSessions

    r, prefix = redis_keys
    from aiohttp.test_utils import TestClient, TestServer

    from bot.app import create_app

    app = create_app(services)
    app[STORE] = RedisSessions(services, prefix=prefix)
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        old = session_cookie(await login(client))
        page = await (await client.get("/admin")).text()
        assert len(_session_ids(page)) == 1
        assert await r.exists(f"{prefix}all")
        assert await _rows(services) == 0  # not in the database
        csrf = await csrf_of(client)
        await client.post("/admin/logout", data={"csrf": csrf})
        client.session.cookie_jar.update_cookies({"wxbot_admin": old})
        assert (await client.get("/admin", allow_redirects=False)).status == 303
        assert [k async for k in r.scan_iter(f"{prefix}s:*")] == []
    finally:
        await client.close()


async def test_ending_a_users_sessions_in_redis_leaves_the_others(services, redis_keys):
    from datetime import timedelta

    from bot.web.sessions import Active, RedisSessions

    _, prefix = redis_keys
    store = RedisSessions(services, prefix=prefix)
    now = services.clock.now()
    for i, user in enumerate(("zhang", "zhang", "admin")):
        active = Active(f"s{i}", user, "127.0.0.1", "c", now, now, now + timedelta(hours=1))
        await store.open(active, f"t{i}", "tag")
    assert await store.end_user("zhang") == 2
    left = await store.listing("tag", now)
    assert [a.user for a in left] == ["admin"]
