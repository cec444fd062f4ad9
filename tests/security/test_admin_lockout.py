"""Issue 16 item 3: a login flood neither grows memory nor tells names apart by timing."""

from __future__ import annotations

import sys
import threading

import pytest

from bot.web import auth as auth_module
from bot.web.admin.session import AUTH
from tests.conftest import NOW, make_settings
from tests.security.admin_kit import login, login_token, start

FLOOD = 2_000
LONG_NAME = "x" * 60_000


@pytest.fixture
def checks(monkeypatch):
    """Every password check made (name of the thread it ran on), without scrypt's cost."""
    seen: list[str] = []
    real = auth_module.verify_password

    def counting(password: str, stored: str) -> bool:
        seen.append(threading.current_thread().name)
        if password == "bad":
            return False
        return real(password, stored)

    monkeypatch.setattr(auth_module, "verify_password", counting)
    return seen


@pytest.fixture
async def proxied(db_path):
    """A console behind a trusted proxy (the test client's 127.0.0.1)."""
    from bot.context import build_services

    services = build_services(
        make_settings(db_path, server={"trusted_proxies": ["127.0.0.1"]}), now=NOW
    )
    client = await start(services)
    yield client, services
    await client.close()
    await services.close()


def _approx_bytes(store) -> int:
    total = sys.getsizeof(store._times)
    for key, times in store._times.items():
        total += sys.getsizeof(key) + sys.getsizeof(times) + sum(sys.getsizeof(t) for t in times)
    return total


async def test_a_flood_of_long_names_leaves_the_store_small(proxied, checks):
    client, _services = proxied
    token = await login_token(client)
    for i in range(FLOOD):
        resp = await login(
            client,
            user=f"{i}{LONG_NAME}",
            password="bad",
            token=token,
            forwarded_for=f"10.{i // 250}.{i % 250}.1",
        )
        assert resp.status == 401
    auth = client.server.app[AUTH]
    assert len(auth.lockout) <= FLOOD
    # 2,000 × 60 KB names were 120 MB before; now a fixed-size key per pair
    assert _approx_bytes(auth.lockout) < 1_000_000
    assert _approx_bytes(auth.ip_lockout) < 1_000_000
    assert len(checks) == FLOOD  # every unknown name still paid for a password check


async def test_the_store_keeps_at_most_its_size(proxied, checks):
    client, _services = proxied
    auth = client.server.app[AUTH]
    auth.lockout.max_entries = auth.ip_lockout.max_entries = 100
    token = await login_token(client)
    for i in range(300):
        await login(client, user=f"u{i}", password="bad", token=token, forwarded_for=f"10.1.{i}.9")
    assert len(auth.lockout) == 100 and len(auth.ip_lockout) == 100


async def test_an_unknown_name_costs_a_password_check_off_the_loop(services, checks):
    client = await start(services)
    try:
        assert (await login(client, user="nobody", password="bad")).status == 401
        assert (await login(client, user="admin", password="bad")).status == 401
        assert (await login(client, user="nobody", password="wxbot-demo")).status == 401
        assert len(checks) == 3
        assert all(name.startswith("admin-password") for name in checks)
    finally:
        await client.close()


async def test_without_a_password_hash_a_check_still_runs(db_path, checks):
    from bot.context import build_services

    live = build_services(make_settings(db_path, sandbox=False), now=NOW)
    client = await start(live)
    try:
        assert (await login(client, user="admin", password="wxbot-demo")).status == 401
        assert len(checks) == 1
    finally:
        await client.close()
        await live.close()


async def test_the_real_user_is_still_locked_out_after_a_flood(proxied, checks):
    client, _services = proxied
    token = await login_token(client)
    for i in range(200):
        await login(client, user=f"n{i}", password="bad", token=token, forwarded_for=f"10.2.{i}.1")
    for _ in range(4):
        assert (await login(client, password="bad", forwarded_for="203.0.113.5")).status == 401
    assert (await login(client, password="bad", forwarded_for="203.0.113.5")).status == 429
    locked = await login(client, forwarded_for="203.0.113.5")  # the right password too
    assert locked.status == 429 and "15 分钟" in await locked.text()


async def test_many_names_from_one_address_lock_the_address(services, checks):
    client = await start(services)
    try:
        token = await login_token(client)
        for i in range(auth_module.IP_MAX_FAILURES):
            assert (await login(client, user=f"guess{i}", password="bad", token=token)).status in (
                401,
                429,
            )
        assert (await login(client)).status == 429
        before = len(checks)
        assert (await login(client, user="another", password="bad")).status == 429
        assert len(checks) == before  # a locked address costs no scrypt
    finally:
        await client.close()


async def test_a_long_name_is_not_echoed_back_in_full(services, checks):
    client = await start(services)
    try:
        resp = await login(client, user=LONG_NAME, password="bad")
        assert resp.status == 401
        assert len(await resp.text()) < 20_000
    finally:
        await client.close()
