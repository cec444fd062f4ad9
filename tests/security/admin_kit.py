"""Shared by the tests/security/test_admin_*.py files: an admin client and its login."""

from __future__ import annotations

import re

from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.web.auth import DEMO_PASSWORD


async def start(services) -> TestClient:
    client = TestClient(TestServer(create_app(services)))
    await client.start_server()
    return client


def hidden(html: str, name: str) -> str:
    m = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert m, f"no hidden {name} in page"
    return m.group(1)


async def login_token(client: TestClient) -> str:
    return hidden(await (await client.get("/admin/login")).text(), "csrf")


async def login(
    client: TestClient,
    user: str = "admin",
    password: str = DEMO_PASSWORD,
    *,
    token: str | None = None,
    forwarded_for: str | None = None,
):
    """POST the login form (as a browser would after loading it)."""
    token = token or await login_token(client)
    # the token goes by hand (outside sandbox its cookie is Secure, this is plain http)
    client.session.cookie_jar.clear(lambda c: c.key == "wxbot_login")
    headers = {"Cookie": f"wxbot_login={token}"}
    if forwarded_for:
        headers["X-Forwarded-For"] = forwarded_for
    return await client.post(
        "/admin/login",
        data={"csrf": token, "username": user, "password": password, "next": "/admin"},
        headers=headers,
        allow_redirects=False,
    )


def session_cookie(response) -> str:
    """The wxbot_admin cookie a login response set."""
    for header in response.headers.getall("Set-Cookie"):
        if header.startswith("wxbot_admin="):
            return header.split(";", 1)[0].split("=", 1)[1]
    raise AssertionError("no session cookie set")


async def csrf_of(client: TestClient) -> str:
    """The session's CSRF token, read from a console page."""
    return hidden(await (await client.get("/admin/outbox")).text(), "csrf")
