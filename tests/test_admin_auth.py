"""The admin console's door: login, session cookie, CSRF, lock-out, and every route guarded."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.context import build_services
from bot.web.auth import DEMO_PASSWORD
from bot.web.passwords import hash_password, verify_password
from tests.conftest import NOW, make_settings


async def _client(services) -> TestClient:
    client = TestClient(TestServer(create_app(services)))
    await client.start_server()
    return client


@pytest.fixture
async def client(services):
    c = await _client(services)
    yield c
    await c.close()


def _hidden(html: str, name: str) -> str:
    m = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert m, f"no hidden {name} in page"
    return m.group(1)


async def login(client: TestClient, user: str = "admin", password: str = DEMO_PASSWORD):
    page = await client.get("/admin/login")
    token = _hidden(await page.text(), "csrf")
    # sent by hand too: outside sandbox the cookie is Secure and this is plain http
    return await client.post(
        "/admin/login",
        data={"csrf": token, "username": user, "password": password, "next": "/admin"},
        headers={"Cookie": f"wxbot_login={token}"},
        allow_redirects=False,
    )


def test_password_hash_round_trip():
    h = hash_password("correct horse")
    assert h.startswith("scrypt$")
    assert verify_password("correct horse", h)
    assert not verify_password("wrong horse", h)
    assert not verify_password("x", "garbage")


async def test_login_page_shows_the_demo_password_in_sandbox(client):
    resp = await client.get("/admin/login")
    html = await resp.text()
    assert resp.status == 200
    assert "wxbot-demo" in html and "登录" in html


async def test_login_sets_a_strict_httponly_cookie_and_opens_the_console(client):
    resp = await login(client)
    assert resp.status == 303 and resp.headers["Location"] == "/admin"
    cookie = resp.headers.getall("Set-Cookie")
    session = next(c for c in cookie if c.startswith("wxbot_admin="))
    assert "HttpOnly" in session and "SameSite=Strict" in session
    assert "Secure" not in session  # sandbox: plain http on 127.0.0.1
    page = await client.get("/admin")
    assert page.status == 200
    assert "每日会话" in await page.text()


async def test_wrong_password_is_refused(client):
    resp = await login(client, password="nope")
    assert resp.status == 401
    assert "用户名或密码不对" in await resp.text()
    assert (await client.get("/admin", allow_redirects=False)).status == 303


async def test_login_without_its_csrf_token_is_refused(client):
    await client.get("/admin/login")
    resp = await client.post(
        "/admin/login",
        data={"csrf": "forged", "username": "admin", "password": DEMO_PASSWORD},
        allow_redirects=False,
    )
    assert resp.status == 403
    assert (await client.get("/admin", allow_redirects=False)).status == 303


async def test_every_post_needs_the_session_csrf_token(client, services):
    await login(client)
    resp = await client.post("/admin/logout", data={}, allow_redirects=False)
    assert resp.status == 403
    resp = await client.post("/admin/outbox/1/retry", data={"csrf": "nope"}, allow_redirects=False)
    assert resp.status == 403
    page = await client.get("/admin/outbox")
    token = _hidden(await page.text(), "csrf")
    resp = await client.post("/admin/logout", data={"csrf": token}, allow_redirects=False)
    assert resp.status == 303
    assert (await client.get("/admin", allow_redirects=False)).status == 303


async def test_five_failures_lock_the_user_out_for_fifteen_minutes(client, services):
    for _ in range(4):
        assert (await login(client, password="bad")).status == 401
    assert (await login(client, password="bad")).status == 429
    locked = await login(client)  # even the right password
    assert locked.status == 429
    assert "15 分钟" in await locked.text()
    services.clock.freeze(NOW + timedelta(minutes=16))
    assert (await login(client)).status == 303


async def test_every_admin_route_needs_login(client):
    app = client.server.app
    routes = []
    for resource in app.router.resources():
        path = resource.canonical
        if not path.startswith("/admin") or path == "/admin/login":
            continue
        for route in resource:
            routes.append((route.method, re.sub(r"\{[^}]+\}", "1", path)))
    assert len(routes) >= 12
    for method, path in routes:
        resp = await client.request(method, path, allow_redirects=False)
        assert resp.status == 303, (method, path)
        assert resp.headers["Location"].startswith("/admin/login"), (method, path)


async def test_forged_and_expired_cookies_do_not_open_the_console(client, services):
    client.session.cookie_jar.update_cookies({"wxbot_admin": "eyJ1IjoiYWRtaW4ifQ.forged"})
    assert (await client.get("/admin", allow_redirects=False)).status == 303
    await login(client)
    assert (await client.get("/admin", allow_redirects=False)).status == 200
    services.clock.freeze(NOW + timedelta(hours=9))
    assert (await client.get("/admin", allow_redirects=False)).status == 303


async def test_outside_sandbox_the_hash_is_required_and_the_cookie_secure(db_path, monkeypatch):
    live = build_services(make_settings(db_path, sandbox=False), now=NOW)
    c = await _client(live)
    try:
        page = await c.get("/admin/login")
        assert "wxbot-demo" not in await page.text()
        assert (await login(c)).status == 401  # no hash set: nobody gets in
    finally:
        await c.close()
        await live.close()
    monkeypatch.setenv("WXBOT_ADMIN_PASSWORD_HASH", hash_password("s3cret-pass"))
    live = build_services(make_settings(db_path, sandbox=False), now=NOW)
    c = await _client(live)
    try:
        assert (await login(c)).status == 401  # the demo password is gone
        resp = await login(c, password="s3cret-pass")
        assert resp.status == 303
        session = next(x for x in resp.headers.getall("Set-Cookie") if "wxbot_admin=" in x)
        assert "Secure" in session
    finally:
        await c.close()
        await live.close()


async def test_playground_is_404_outside_sandbox(db_path):
    live = build_services(make_settings(db_path, sandbox=False), now=NOW)
    c = await _client(live)
    try:
        assert (await c.get("/playground")).status == 404
        resp = await c.post("/playground/api/mp", json={"openid": "x", "text": "hi"})
        assert resp.status == 404
    finally:
        await c.close()
        await live.close()


def test_hash_password_command_prints_a_working_hash():
    from click.testing import CliRunner

    from bot.cli import main

    result = CliRunner().invoke(
        main, ["admin", "hash-password", "--password-stdin"], input="longenough\n"
    )
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if x.startswith("scrypt$"))
    assert verify_password("longenough", line)


async def test_odd_input_is_refused_politely(client):
    resp = await login(client, user="管理员", password="密码")
    assert resp.status == 401
    await login(client)
    resp = await client.post("/admin/logout", data={"csrf": "令牌"}, allow_redirects=False)
    assert resp.status == 403
    resp = await client.get("/admin/login?next=//evil.example/x")
    assert 'value="/admin"' in await resp.text()
