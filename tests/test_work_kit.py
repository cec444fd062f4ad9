"""Helpers for the WeCom tests: envelopes as WeCom builds them, the app, a seeded world.

(No tests here; the test_work_* modules import from it.)"""

from __future__ import annotations

import itertools

import xmltodict
from aiohttp.test_utils import TestClient, TestServer
from wechatpy.enterprise.crypto import WeChatCrypto

from bot.app import create_app
from tests.conftest import NOW
from tests.fakes import wxmsg

TS = int(NOW.timestamp())
_ids = itertools.count(7000000000000000001)
_nonces = itertools.count(5000)


def work_app(services):
    import bot.channels.work

    app = create_app(services, channels=False)
    bot.channels.work.setup(app, services)
    return app


def client_for(services) -> TestClient:
    return TestClient(TestServer(work_app(services)))


def text(userid: str, content: str, *, corp: str, agent: int = 1000002, msg_id=None) -> str:
    return wxmsg.xml(
        {
            "ToUserName": corp,
            "FromUserName": userid,
            "CreateTime": TS,
            "MsgType": "text",
            "Content": content,
            "MsgId": msg_id if msg_id is not None else next(_ids),
            "AgentID": agent,
        }
    )


def contact_event(
    change_type: str,
    *,
    corp: str,
    userid: str,
    external_userid: str,
    state: str | None = None,
    welcome_code: str | None = None,
    create_time: int = TS,
) -> str:
    return wxmsg.xml(
        {
            "ToUserName": corp,
            "FromUserName": "sys",
            "CreateTime": create_time,
            "MsgType": "event",
            "Event": "change_external_contact",
            "ChangeType": change_type,
            "UserID": userid,
            "ExternalUserID": external_userid,
            "State": state,
            "WelcomeCode": welcome_code,
        }
    )


def envelope(settings, plain: str, *, ts: int = TS, nonce: str | None = None, agent: int = 1000002):
    """(query, body) of an encrypted WeCom callback POST."""
    w = settings.work
    nonce = nonce or str(next(_nonces))
    out = WeChatCrypto(w.token, w.encoding_aes_key, w.corp_id).encrypt_message(plain, nonce, ts)
    enc = xmltodict.parse(out)["xml"]["Encrypt"]
    sig = wxmsg.signature(w.token, str(ts), nonce, enc)
    body = wxmsg.xml({"ToUserName": w.corp_id, "Encrypt": enc, "AgentID": agent})
    return {"msg_signature": sig, "timestamp": str(ts), "nonce": nonce}, body


def decrypt(settings, body: str) -> dict:
    """The passive reply's fields, after checking its signature ({} for an empty answer)."""
    if not body.strip():
        return {}
    w = settings.work
    env = xmltodict.parse(body)["xml"]
    assert env["MsgSignature"] == wxmsg.signature(
        w.token, str(env["TimeStamp"]), str(env["Nonce"]), env["Encrypt"]
    )
    plain = WeChatCrypto(w.token, w.encoding_aes_key, w.corp_id).decrypt_message(
        body, env["MsgSignature"], str(env["TimeStamp"]), str(env["Nonce"])
    )
    return dict(xmltodict.parse(plain)["xml"])


async def post(client, settings, plain: str, **kw) -> tuple[int, dict]:
    query, body = envelope(settings, plain, **kw)
    resp = await client.post("/wechat/work", params=query, data=body.encode("utf-8"))
    raw = await resp.text()
    if resp.status != 200:
        return resp.status, {"error": raw}
    return 200, decrypt(settings, raw)


async def say(client, settings, userid: str, content: str) -> str:
    """What the app answers a staff member (the passive reply's Content, "" when empty)."""
    status, reply = await post(client, settings, text(userid, content, corp=settings.work.corp_id))
    assert status == 200, reply
    return reply.get("Content", "")
