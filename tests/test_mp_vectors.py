"""Published test vectors (WeChat's AES / SHA-1 scheme) through our code and the webhook."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from aiohttp.test_utils import TestClient, TestServer
from wechatpy.crypto import WeChatCrypto

import bot.dialog
from bot import security
from bot.context import build_services
from bot.messages import Reply
from tests.conftest import make_settings
from tests.fakes import wxmsg
from tests.fakes.mp import mp_app
from tests.fakes.wxmsg import VECTOR as V


def test_published_signature_vectors_verify_with_our_constant_time_check():
    assert security.signature_ok(
        V["token"],
        V["verify_signature"],
        V["verify_timestamp"],
        V["verify_nonce"],
        V["verify_echostr"],
    )
    security.check_msg_signature(
        V["token"], V["msg_signature"], V["msg_timestamp"], V["msg_nonce"], V["msg_encrypt"]
    )
    assert (
        wxmsg.signature(V["token"], V["msg_timestamp"], V["msg_nonce"], V["msg_encrypt"])
        == V["msg_signature"]
    )


def test_published_ciphertext_decrypts_to_the_published_message():
    crypto = WeChatCrypto(V["token"], V["encoding_aes_key"], V["app_id"])
    plain = crypto.decrypt_message(
        {"Encrypt": V["msg_encrypt"]}, V["msg_signature"], V["msg_timestamp"], V["msg_nonce"]
    )
    data = security.parse_xml(plain)
    assert (data["FromUserName"], data["Content"], data["MsgType"]) == ("messense", "test", "text")


def test_our_envelope_round_trips():
    q, body = wxmsg.inbound(
        wxmsg.text("o-1", "往返", create_time=1),
        token=V["token"],
        timestamp=1,
        mode="safe",
        aes_key=V["encoding_aes_key"],
        app_id=V["app_id"],
        nonce="n1",
    )
    encrypted = security.parse_xml(body)["Encrypt"]
    security.check_msg_signature(V["token"], q["msg_signature"], "1", "n1", encrypted)
    crypto = WeChatCrypto(V["token"], V["encoding_aes_key"], V["app_id"])
    plain = crypto.decrypt_message({"Encrypt": encrypted}, q["msg_signature"], "1", "n1")
    assert security.parse_xml(plain)["Content"] == "往返"


async def test_the_webhook_accepts_the_published_encrypted_message(db_path, monkeypatch):
    seen = []

    async def stub(services, inbound):
        seen.append(inbound)
        return Reply(text="ok", intent="unknown")

    monkeypatch.setattr(bot.dialog, "respond", stub)
    settings = make_settings(
        db_path,
        mp={"token": V["token"], "encoding_aes_key": V["encoding_aes_key"], "app_id": V["app_id"]},
    )
    ts = V["msg_timestamp"]
    services = build_services(settings, now=datetime.fromtimestamp(int(ts), UTC))
    try:
        async with TestClient(TestServer(mp_app(services))) as client:
            q = wxmsg.signed_query(
                V["token"],
                ts,
                V["msg_nonce"],
                encrypt_type="aes",
                msg_signature=V["msg_signature"],
            )
            body = wxmsg.xml({"ToUserName": V["app_id"], "Encrypt": V["msg_encrypt"]})
            resp = await client.post("/wechat/mp", params=q, data=body.encode())
            assert resp.status == 200
            plain = wxmsg.decrypt_reply(
                await resp.text(),
                token=V["token"],
                aes_key=V["encoding_aes_key"],
                app_id=V["app_id"],
                nonce=V["msg_nonce"],
            )
        assert security.parse_xml(plain)["Content"] == "ok"
        assert [(i.user_id, i.text) for i in seen] == [("messense", "test")]
    finally:
        await services.close()


async def test_the_published_message_is_refused_by_an_account_with_another_app_id(
    db_path, monkeypatch
):
    settings = make_settings(
        db_path, mp={"token": V["token"], "encoding_aes_key": V["encoding_aes_key"]}
    )  # app_id stays the sandbox one
    ts = V["msg_timestamp"]
    services = build_services(settings, now=datetime.fromtimestamp(int(ts), UTC))
    try:
        async with TestClient(TestServer(mp_app(services))) as client:
            q = wxmsg.signed_query(
                V["token"],
                ts,
                V["msg_nonce"],
                encrypt_type="aes",
                msg_signature=V["msg_signature"],
            )
            body = wxmsg.xml({"ToUserName": V["app_id"], "Encrypt": V["msg_encrypt"]})
            resp = await client.post("/wechat/mp", params=q, data=body.encode())
            assert resp.status == 403
    finally:
        await services.close()


@pytest.mark.parametrize("mode", ["compatible", "safe"])
def test_envelopes_carry_what_wechat_puts_in_them(mode):
    q, body = wxmsg.inbound(
        wxmsg.text("o-1", "你好", create_time=1),
        token="t",
        timestamp=1,
        mode=mode,
        aes_key=V["encoding_aes_key"],
        app_id=V["app_id"],
    )
    assert set(q) == {"signature", "timestamp", "nonce", "encrypt_type", "msg_signature"}
    data = security.parse_xml(body)
    assert "Encrypt" in data and "ToUserName" in data
    assert ("Content" in data) == (mode == "compatible")
