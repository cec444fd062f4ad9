"""/wechat/mp refuses what WeChat would never send, before anything is written."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

import bot.dialog
from bot.messages import Reply
from storage.models import ChannelIdentity, Customer, InboundMessage
from tests.conftest import NOW, make_settings
from tests.fakes import wxmsg
from tests.fakes.mp import mp_app, mp_sender, settings_in_mode
from tests.test_security import BILLION_LAUGHS, EXTERNAL_ENTITY, PLAIN_DTD

TS = int(NOW.timestamp())


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list:
    seen: list = []

    async def stub(services, inbound):
        seen.append(inbound)
        return Reply(text="收到～", intent="unknown")

    monkeypatch.setattr(bot.dialog, "respond", stub)
    return seen


@pytest.fixture
def settings(request, db_path):
    """The account in the mode the test posts in (plain when it posts in several)."""
    return settings_in_mode(request, db_path)


@pytest.fixture
async def client(services):
    async with TestClient(TestServer(mp_app(services))) as c:
        yield c


def wx(client, services, mode="safe", **kw) -> wxmsg.Sender:
    return mp_sender(client, services, mode, **kw)


async def nothing_written(services) -> bool:
    async with services.db.session() as s:
        for model in (InboundMessage, Customer, ChannelIdentity):
            if await s.scalar(select(func.count()).select_from(model)):
                return False
    return True


@pytest.mark.parametrize("mode", ["plain", "compatible", "safe"])
async def test_bad_signature_is_403_and_nothing_is_written(client, services, calls, mode):
    status, _ = await wx(client, services, mode).post(
        wxmsg.text("o-1", "你好"), token="forged-token"
    )
    assert status == 403
    assert calls == []
    assert await nothing_written(services)


async def test_missing_signature_is_403(client, services, calls):
    body = wxmsg.text("o-1", "你好")
    resp = await client.post("/wechat/mp", params={"timestamp": str(TS), "nonce": "1"}, data=body)
    assert resp.status == 403
    assert await nothing_written(services)


async def test_tampered_ciphertext_fails_msg_signature(client, services, calls):
    sender = wx(client, services)
    (query, body), _ = sender.build(wxmsg.text("o-1", "你好"))
    body = body.replace("<![CDATA[", "<![CDATA[AAAA", 2)  # the Encrypt element changes
    resp = await client.post("/wechat/mp", params=query, data=body.encode())
    assert resp.status == 403
    assert await nothing_written(services)


async def test_valid_signature_on_garbage_ciphertext_is_400(client, services, calls):
    token = services.settings.mp.token
    garbage = "bm90IHJlYWxseSBlbmNyeXB0ZWQ="
    q = wxmsg.signed_query(
        token,
        TS,
        "9",
        encrypt_type="aes",
        msg_signature=wxmsg.signature(token, str(TS), "9", garbage),
    )
    body = wxmsg.xml({"ToUserName": "gh", "Encrypt": garbage})
    resp = await client.post("/wechat/mp", params=q, data=body.encode())
    assert resp.status == 400
    assert await nothing_written(services)


@pytest.mark.parametrize("offset", [-301, 301, -86400])
async def test_stale_or_future_timestamp_is_403(client, services, calls, offset):
    status, _ = await wx(client, services, timestamp=TS + offset).post(wxmsg.text("o-1", "你好"))
    assert status == 403
    assert await nothing_written(services)


async def test_timestamp_window_can_be_switched_off(db_path, calls):
    from bot.context import build_services

    settings = make_settings(db_path, security={"max_clock_skew_s": 0})
    services = build_services(settings, now=NOW)
    try:
        async with TestClient(TestServer(mp_app(services))) as client:
            status, reply = await wx(client, services, timestamp=TS - 86400).post(
                wxmsg.text("o-1", "你好")
            )
        assert status == 200 and reply["Content"] == "收到～"
    finally:
        await services.close()


@pytest.mark.parametrize("mode", ["compatible", "safe"])
async def test_message_encrypted_for_another_app_id_is_refused(client, services, calls, mode):
    status, _ = await wx(client, services, mode, app_id="wx-someone-else").post(
        wxmsg.text("o-1", "你好")
    )
    assert status in (400, 403)
    assert calls == []
    assert await nothing_written(services)


async def test_body_over_the_limit_is_413(client, services, calls):
    huge = wxmsg.text("o-1", "长" * 30000)  # ~90 KB of UTF-8
    status, _ = await wx(client, services, "plain").post(huge)
    assert status == 413
    assert await nothing_written(services)


async def test_body_over_the_limit_without_content_length_is_413(client, services, calls):
    q = wxmsg.signed_query(services.settings.mp.token, TS, "5")

    async def chunks():
        for _ in range(20):
            yield b"<xml>" + b"x" * 8192

    resp = await client.post("/wechat/mp", params=q, data=chunks())
    assert resp.status == 413


@pytest.mark.parametrize(
    "body",
    [BILLION_LAUGHS, EXTERNAL_ENTITY, PLAIN_DTD, b"<xml><Content>unclosed</xml>", b"{}"],
    ids=["billion-laughs", "external-entity", "dtd", "malformed", "json"],
)
async def test_hostile_or_broken_xml_is_400(client, services, calls, body):
    q = wxmsg.signed_query(services.settings.mp.token, TS, "7")
    resp = await client.post("/wechat/mp", params=q, data=body)
    assert resp.status == 400
    assert calls == []
    assert await nothing_written(services)


async def test_billion_laughs_inside_the_encrypted_envelope_is_400(client, services, calls):
    status, _ = await wx(client, services, "safe").post(BILLION_LAUGHS.decode())
    assert status == 400
    assert await nothing_written(services)


async def test_xml_without_sender_is_400(client, services, calls):
    status, _ = await wx(client, services, "plain").post("<xml><MsgType>text</MsgType></xml>")
    assert status == 400


async def test_unknown_encrypt_type_is_400(client, services, calls):
    q = wxmsg.signed_query(services.settings.mp.token, TS, "7", encrypt_type="rot13")
    resp = await client.post("/wechat/mp", params=q, data=wxmsg.text("o-1", "hi"))
    assert resp.status == 400
