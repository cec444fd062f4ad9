"""Issue 16 item 8 (admin): ids and offsets no column can hold are 404 / 400, never 500."""

from __future__ import annotations

import re

import pytest

from bot.context import build_services
from bot.demo import seed_demo
from tests.conftest import NOW, make_settings
from tests.security.admin_kit import csrf_of, login, start

HUGE = ["9223372036854775808", "18446744073709551616", "9" * 40, "0"]
NOT_IDS = ["-1", "abc", "1e3", "1.5", "0x10"]
BAD_OFFSETS = ["9223372036854775808", "9" * 40, "-1", "abc", "1e3", "１２", " -0"]


def _id_routes(app) -> list[tuple[str, str]]:
    """Every admin route with a numeric id in its path, as (method, path with {id})."""
    found = []
    for resource in app.router.resources():
        info = resource.get_info()
        pattern = info.get("pattern")
        if pattern is None or not resource.canonical.startswith("/admin"):
            continue
        if "{id}" in resource.canonical:
            found += [(route.method, resource.canonical) for route in resource]
    return found


async def _check(client) -> None:
    routes = _id_routes(client.server.app)
    assert {r[1] for r in routes} >= {
        "/admin/customers/{id}",
        "/admin/tickets/{id}",
        "/admin/tickets/{id}/status",
        "/admin/outbox/{id}/retry",
    }
    csrf = await csrf_of(client)
    for method, path in routes:
        for value in HUGE + NOT_IDS:
            url = path.replace("{id}", value)
            data = {"csrf": csrf, "status": "done"} if method == "POST" else None
            resp = await client.request(method, url, data=data, allow_redirects=False)
            assert resp.status in (400, 404), (method, url, resp.status)
    for value in BAD_OFFSETS:
        resp = await client.get("/admin/customers", params={"offset": value})
        assert resp.status == 400, (value, resp.status)
    biggest = await client.get("/admin/customers?offset=9223372036854775807")
    assert biggest.status == 200
    assert "共" in await biggest.text()
    assert (await client.get("/admin/customers?offset=50")).status == 200


async def test_sqlite(services):
    await seed_demo(services)
    client = await start(services)
    try:
        assert (await login(client)).status == 303
        await _check(client)
    finally:
        await client.close()


async def test_postgresql(db_path, pg_url):
    services = build_services(make_settings(db_path, database={"url": pg_url}), now=NOW)
    await seed_demo(services)
    client = await start(services)
    try:
        assert (await login(client)).status == 303
        await _check(client)
    finally:
        await client.close()
        await services.close()


@pytest.mark.parametrize("value", ["9223372036854775807"])
async def test_the_largest_id_is_simply_not_found(services, value):
    client = await start(services)
    try:
        await login(client)
        for path in ("/admin/customers/", "/admin/tickets/"):
            resp = await client.get(path + value)
            assert resp.status == 404
            assert re.search("没有这", await resp.text())
    finally:
        await client.close()
