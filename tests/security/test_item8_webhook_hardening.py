"""Issue 16, item 8 (the webhook parts): duplicate or nested fields, XML nested too deep,
slow-header connections, /metrics open to anyone, the playground open to anyone."""

from __future__ import annotations

import asyncio
import logging

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from tests.conftest import make_settings
from tests.fakes import wxmsg
from tests.fakes.mp import mp_app, mp_sender
from tests.security.kit import nothing_written
from tests.test_work_kit import client_for, post
from tests.test_work_kit import text as work_text

DUPLICATE_SENDER = (
    "<xml><ToUserName>gh</ToUserName><FromUserName>o-1</FromUserName>"
    "<FromUserName>other</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType>"
    "<Content>你好</Content><MsgId>1</MsgId></xml>"
)
NESTED_MSGID = (
    "<xml><ToUserName>gh</ToUserName><FromUserName>o-1</FromUserName><CreateTime>1</CreateTime>"
    "<MsgType>text</MsgType><Content>你好</Content><MsgId><MsgId>1</MsgId></MsgId></xml>"
)
DUPLICATE_MSGID = NESTED_MSGID.replace("<MsgId><MsgId>1</MsgId></MsgId>", "<MsgId>1</MsgId>" * 2)
DEEP = "<xml><FromUserName>o-1</FromUserName><MsgType>text</MsgType>" + (
    "<a>" * 1000 + "x" + "</a>" * 1000 + "</xml>"
)
HOSTILE = {
    "duplicate-sender": DUPLICATE_SENDER,
    "nested-msgid": NESTED_MSGID,
    "duplicate-msgid": DUPLICATE_MSGID,
    "deep": DEEP,
}


async def _mp(db_path, mode: str):
    from bot.context import build_services
    from tests.conftest import NOW

    services = build_services(make_settings(db_path, mp={"message_mode": mode}), now=NOW)
    return services, TestClient(TestServer(mp_app(services)))


@pytest.mark.parametrize("mode", ["plain", "safe"])
@pytest.mark.parametrize("body", list(HOSTILE.values()), ids=list(HOSTILE))
async def test_mp_refuses_duplicate_nested_or_deep_xml_with_400(
    db_path, dialog, caplog, mode, body
):
    services, client = await _mp(db_path, mode)
    try:
        async with client:
            status, _ = await mp_sender(client, services, mode).post(body)
        assert status == 400
        assert dialog.seen == []
        assert await nothing_written(services)
        assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
        assert "RecursionError" not in caplog.text
    finally:
        await services.close()


@pytest.mark.parametrize("name", list(HOSTILE))
async def test_wecom_refuses_duplicate_nested_or_deep_xml_with_400(services, caplog, name):
    corp = services.settings.work.corp_id
    body = HOSTILE[name].replace("<ToUserName>gh</ToUserName>", f"<ToUserName>{corp}</ToUserName>")
    async with client_for(services) as client:
        status, _ = await post(client, services.settings, body)
    assert status == 400
    assert await nothing_written(services)
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_nesting_wechat_really_sends_is_still_read(services, dialog):
    """SendPicsInfo > PicList > item > PicMd5Sum (and repeated items) stay accepted."""
    from bot import security

    pics = (
        "<xml><FromUserName>o-1</FromUserName><MsgType>event</MsgType>"
        "<SendPicsInfo><Count>2</Count><PicList><item><PicMd5Sum>a</PicMd5Sum></item>"
        "<item><PicMd5Sum>b</PicMd5Sum></item></PicList></SendPicsInfo></xml>"
    )
    data = security.parse_xml(pics)
    assert data["SendPicsInfo"]["PicList"]["item"] == [{"PicMd5Sum": "a"}, {"PicMd5Sum": "b"}]
    settings = services.settings
    async with client_for(services) as client:
        status, _ = await post(
            client, settings, work_text("G999", "任务", corp=settings.work.corp_id)
        )
    assert status == 200


async def _listen(services, **override):
    from bot.app import runner_options

    app = create_app(services, channels=False)
    runner = web.AppRunner(app, **{**runner_options(services), **override})
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, port


async def _closed_after_trickling_headers(port: int, wait_s: float) -> bool:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"POST /wechat/mp HTTP/1.1\r\nHost: x\r\n")  # headers never finish
    await writer.drain()
    try:
        data = await asyncio.wait_for(reader.read(1024), wait_s)
        return data == b"" or data.startswith(b"HTTP/1.1 4")
    except TimeoutError:
        return False
    finally:
        writer.close()


async def test_a_connection_that_never_finishes_its_headers_is_closed(db_path):
    from bot.context import build_services

    services = build_services(make_settings(db_path, server={"header_timeout_s": 0.5}))
    runner, port = await _listen(services)
    try:
        assert await _closed_after_trickling_headers(port, wait_s=10)
    finally:
        await runner.cleanup()
        await services.close()


async def test_without_the_header_timeout_such_a_connection_stays_open(services):
    runner, port = await _listen(services, keepalive_timeout=3630)  # aiohttp's default
    try:
        assert not await _closed_after_trickling_headers(port, wait_s=1.5)
    finally:
        await runner.cleanup()


async def test_metrics_needs_the_bearer_token_when_one_is_set(db_path):
    from bot.context import build_services

    services = build_services(make_settings(db_path, metrics={"token": "m3tr1csT0kenXXXXX"}))
    try:
        async with TestClient(TestServer(create_app(services, channels=False))) as client:
            assert (await client.get("/metrics")).status == 401
            wrong = {"Authorization": "Bearer nope"}
            assert (await client.get("/metrics", headers=wrong)).status == 401
            good = {"Authorization": "Bearer m3tr1csT0kenXXXXX"}
            resp = await client.get("/metrics", headers=good)
            assert resp.status == 200 and "wxbot_http_requests_total" in await resp.text()
    finally:
        await services.close()


async def test_metrics_without_a_token_is_for_this_machine_only(services):
    async with TestClient(TestServer(create_app(services, channels=False))) as client:
        assert (await client.get("/metrics")).status == 200  # local Prometheus, sandbox
        proxied = {"X-Forwarded-For": "203.0.113.9"}
        assert (await client.get("/metrics", headers=proxied)).status == 403


def _peer_from_header(app: web.Application) -> None:
    """Test only: the peer address a request came from, taken from X-Test-Peer."""

    @web.middleware
    async def peer(request: web.Request, handler):
        if "X-Test-Peer" in request.headers:
            request = request.clone(remote=request.headers["X-Test-Peer"])
        return await handler(request)

    app.middlewares.insert(0, peer)


async def test_the_playground_is_for_this_machine_or_a_logged_in_admin(services):
    from bot.web.auth import COOKIE
    from tests.test_admin_auth import login

    app = create_app(services)  # sandbox: the playground is mounted
    _peer_from_header(app)
    async with TestClient(TestServer(app)) as client:
        assert (await client.get("/playground")).status == 200
        remote = {"X-Test-Peer": "203.0.113.9"}
        for path in ("/playground", "/playground/api/feed?to=o-1"):
            assert (await client.get(path, headers=remote)).status == 404
            proxied = {"X-Forwarded-For": "203.0.113.9"}
            assert (await client.get(path, headers=proxied)).status == 404
        resp = await client.post("/playground/api/mp", headers={**remote, "X-Playground": "1"})
        assert resp.status == 404
        signed = await login(client)  # from this machine; the session is server-side
        cookie = signed.cookies[COOKIE].value
        client.session.cookie_jar.clear()
        admin = {**remote, "Cookie": f"{COOKIE}={cookie}"}
        assert (await client.get("/playground", headers=admin)).status == 200
        forged = {**remote, "Cookie": f"{COOKIE}={cookie[:-2]}xx"}
        assert (await client.get("/playground", headers=forged)).status == 404


def test_is_local_knows_loopback_and_forwarded_requests():
    from aiohttp.test_utils import make_mocked_request

    from bot.security import is_local

    for remote, expected in [
        ("127.0.0.1", True),
        ("::1", True),
        ("10.0.0.5", False),
        (None, False),
    ]:
        req = make_mocked_request("GET", "/metrics")
        req = req.clone(remote=remote) if remote else req
        assert is_local(req) is expected, remote
    fwd = make_mocked_request("GET", "/", headers={"Forwarded": "for=1.2.3.4"}).clone(
        remote="127.0.0.1"
    )
    assert not is_local(fwd)


def test_header_timeout_is_a_documented_setting(db_path):
    settings = make_settings(db_path)
    assert settings.server.header_timeout_s == 15.0


def _short_ciphertext(aes_key: str) -> str:
    """A ciphertext under the right key whose plaintext is all padding (found by the fuzz
    run: wechatpy then fails with struct.error, which was logged as an ERROR)."""
    import base64

    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    key = base64.b64decode(aes_key + "=")
    enc = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(enc.update(b"\x20" * 32) + enc.finalize()).decode()


@pytest.mark.parametrize("path", ["/wechat/mp", "/wechat/work"])
async def test_signed_ciphertext_that_decrypts_to_nothing_is_400(services, caplog, path):
    from tests.fakes.mp import TS

    section = services.settings.mp if path == "/wechat/mp" else services.settings.work
    enc = _short_ciphertext(section.encoding_aes_key)
    query = {
        "timestamp": str(TS),
        "nonce": "9",
        "msg_signature": wxmsg.signature(section.token, str(TS), "9", enc),
    }
    if path == "/wechat/mp":
        query.update(wxmsg.signed_query(section.token, TS, "9", encrypt_type="aes"))
    body = wxmsg.xml({"ToUserName": "gh", "Encrypt": enc}).encode()
    app = create_app(services)
    async with TestClient(TestServer(app)) as client:
        resp = await client.post(path, params=query, data=body)
    assert resp.status == 400
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert await nothing_written(services)
