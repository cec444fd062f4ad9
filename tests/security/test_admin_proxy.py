"""Issue 16 item 5: behind a trusted reverse proxy each client has its own lock-out."""

from __future__ import annotations

import ipaddress

import pytest

from bot.config import ConfigError
from bot.context import build_services
from tests.conftest import NOW, REPO, make_settings
from tests.security.admin_kit import login, start

TRUSTED_TEXT = ("127.0.0.1", "10.0.0.0/8")


async def _console(db_path, proxies):
    services = build_services(make_settings(db_path, server={"trusted_proxies": proxies}), now=NOW)
    return await start(services), services


async def _five_bad_tries(client, client_ip: str) -> None:
    for _ in range(4):
        assert (await login(client, password="bad", forwarded_for=client_ip)).status == 401
    assert (await login(client, password="bad", forwarded_for=client_ip)).status == 429


async def test_behind_a_trusted_proxy_one_client_does_not_lock_out_another(db_path):
    client, services = await _console(db_path, ["127.0.0.1"])
    try:
        await _five_bad_tries(client, "203.0.113.5")
        assert (await login(client, forwarded_for="203.0.113.5")).status == 429
        resp = await login(client, forwarded_for="198.51.100.7")
        assert resp.status == 303 and resp.headers["Location"] == "/admin"
        page = await (await client.get("/admin")).text()
        assert "198.51.100.7" in page  # the session list shows the real client
    finally:
        await client.close()
        await services.close()


async def test_an_untrusted_peers_forwarded_for_is_ignored(db_path):
    client, services = await _console(db_path, ["10.9.9.9"])  # not the test client
    try:
        await _five_bad_tries(client, "203.0.113.5")
        # a new X-Forwarded-For does not make the same peer someone else
        assert (await login(client, forwarded_for="198.51.100.7")).status == 429
        assert (await login(client)).status == 429
    finally:
        await client.close()
        await services.close()


async def test_without_trusted_proxies_forwarded_for_is_ignored(services):
    client = await start(services)
    try:
        await _five_bad_tries(client, "203.0.113.5")
        assert (await login(client, forwarded_for="198.51.100.7")).status == 429
    finally:
        await client.close()


def test_the_right_most_untrusted_hop_is_the_client():
    from bot.web.client_ip import networks, resolve

    TRUSTED = networks(TRUSTED_TEXT)
    # a client can write anything left of what the proxy appends
    assert resolve("127.0.0.1", ["1.2.3.4, 203.0.113.5"], TRUSTED) == "203.0.113.5"
    assert resolve("127.0.0.1", ["1.2.3.4", "203.0.113.5, 10.1.2.3"], TRUSTED) == "203.0.113.5"
    assert resolve("10.0.0.2", ["203.0.113.5, 10.0.0.1"], TRUSTED) == "203.0.113.5"
    assert resolve("127.0.0.1", [], TRUSTED) == "127.0.0.1"
    assert resolve("127.0.0.1", ["garbage"], TRUSTED) == "127.0.0.1"
    assert resolve("127.0.0.1", ["[2001:db8::1]:443"], TRUSTED) == "2001:db8::1"
    assert resolve("198.51.100.1", ["1.2.3.4"], TRUSTED) == "198.51.100.1"  # untrusted peer
    assert resolve("127.0.0.1", ["1.2.3.4"], ()) == "127.0.0.1"  # nothing trusted


def test_trusted_proxies_from_the_environment(monkeypatch):
    from bot.config import load_settings
    from bot.web.client_ip import networks

    monkeypatch.setenv("WXBOT_SERVER__TRUSTED_PROXIES", "10.0.0.1, 172.16.0.0/12")
    got = load_settings(REPO / "config.yaml").server.trusted_proxies
    assert [ipaddress.ip_network(x) for x in got] == list(networks(("10.0.0.1", "172.16.0.0/12")))
    monkeypatch.setenv("WXBOT_SERVER__TRUSTED_PROXIES", '["10.0.0.2"]')
    assert load_settings(REPO / "config.yaml").server.trusted_proxies == ["10.0.0.2"]
    monkeypatch.setenv("WXBOT_SERVER__TRUSTED_PROXIES", "not-an-ip")
    with pytest.raises(ConfigError) as err:
        load_settings(REPO / "config.yaml")
    assert "server.trusted_proxies" in str(err.value)


def test_the_session_store_setting_is_checked_at_start(monkeypatch):
    from bot.config import load_settings

    monkeypatch.setenv("WXBOT_ADMIN__SESSION_STORE", "memcached")
    with pytest.raises(ConfigError) as err:
        load_settings(REPO / "config.yaml")
    assert "admin.session_store must be database or redis" in str(err.value)
    monkeypatch.setenv("WXBOT_ADMIN__SESSION_STORE", "redis")
    with pytest.raises(ConfigError) as err:
        load_settings(REPO / "config.yaml")
    assert "redis.url is not set" in str(err.value)
