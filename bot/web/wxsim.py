"""Messages built, signed and encrypted as WeChat and WeCom build them, for the playground.

The playground posts these to the app's own ``/wechat/mp`` and ``/wechat/work`` so a
visitor's message takes the real path (signature, decryption, dedup, dialog).
"""

from __future__ import annotations

import hashlib
import itertools
import secrets
import time
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from wechatpy.crypto import WeChatCrypto as MpCrypto
from wechatpy.enterprise.crypto import WeChatCrypto as WorkCrypto

NUMERIC = {"CreateTime", "MsgId", "AgentID"}
_ids = itertools.count(int(time.time() * 1000) * 1000)


def next_msg_id() -> int:
    return next(_ids)


def _cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def to_xml(fields: dict[str, Any]) -> str:
    """``<xml>`` with CDATA for strings and bare numbers for numeric fields, as WeChat writes."""
    parts = []
    for k, v in fields.items():
        if v is None:
            continue
        parts.append(f"<{k}>{v}</{k}>" if k in NUMERIC else f"<{k}>{_cdata(str(v))}</{k}>")
    return "<xml>" + "".join(parts) + "</xml>"


def text_message(from_user: str, to_user: str, content: str, ts: int, **extra: Any) -> str:
    return to_xml(
        {
            "ToUserName": to_user,
            "FromUserName": from_user,
            "CreateTime": ts,
            "MsgType": "text",
            "Content": content,
            "MsgId": next_msg_id(),
            **extra,
        }
    )


def event_message(
    from_user: str, to_user: str, event: str, ts: int, key: str | None = None, **extra: Any
) -> str:
    return to_xml(
        {
            "ToUserName": to_user,
            "FromUserName": from_user,
            "CreateTime": ts,
            "MsgType": "event",
            "Event": event,
            "EventKey": key if key is not None else ("" if event == "subscribe" else None),
            **extra,
        }
    )


def sha1_sign(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def _inner_encrypt(envelope: str) -> str:
    start = envelope.index("<Encrypt><![CDATA[") + len("<Encrypt><![CDATA[")
    return envelope[start : envelope.index("]]></Encrypt>")]


@dataclass
class Signed:
    """A POST as WeChat sends it: query string, body, and what it needs to read the reply."""

    query: dict[str, str]
    body: str
    nonce: str


def mp_safe_post(token: str, aes_key: str, app_id: str, plain: str, ts: int) -> Signed:
    """Safe mode (安全模式): signature + msg_signature on the URL, only Encrypt in the body."""
    nonce = str(secrets.randbelow(10**9))
    t = str(ts)
    encrypted = _inner_encrypt(MpCrypto(token, aes_key, app_id).encrypt_message(plain, nonce, t))
    query = {
        "signature": sha1_sign(token, t, nonce),
        "timestamp": t,
        "nonce": nonce,
        "openid": "",
        "encrypt_type": "aes",
        "msg_signature": sha1_sign(token, t, nonce, encrypted),
    }
    body = to_xml({"ToUserName": app_id, "Encrypt": encrypted})
    return Signed(query, body, nonce)


def work_post(token: str, aes_key: str, corp_id: str, agent_id: int, plain: str, ts: int) -> Signed:
    """WeCom: always encrypted; msg_signature, timestamp, nonce on the URL."""
    nonce = str(secrets.randbelow(10**9))
    t = str(ts)
    encrypted = _inner_encrypt(WorkCrypto(token, aes_key, corp_id).encrypt_message(plain, nonce, t))
    query = {"msg_signature": sha1_sign(token, t, nonce, encrypted), "timestamp": t, "nonce": nonce}
    body = to_xml({"ToUserName": corp_id, "AgentID": agent_id, "Encrypt": encrypted})
    return Signed(query, body, nonce)


def _reply_fields(plain: str) -> dict[str, Any]:
    import xmltodict

    return dict(xmltodict.parse(plain)["xml"])


def open_reply(body: str, crypto: Any) -> dict[str, Any]:
    """A passive reply's fields: decrypted (its MsgSignature checked) when it is an envelope."""
    import xmltodict

    text = body.strip()
    if text in ("", "success"):
        return {}
    env = dict(xmltodict.parse(text)["xml"])
    if "Encrypt" not in env:
        return env
    plain = crypto.decrypt_message(
        text, env["MsgSignature"], str(env["TimeStamp"]), str(env["Nonce"])
    )
    return _reply_fields(plain)


def mp_crypto(token: str, aes_key: str, app_id: str) -> MpCrypto:
    return MpCrypto(token, aes_key, app_id)


def work_crypto(token: str, aes_key: str, corp_id: str) -> WorkCrypto:
    return WorkCrypto(token, aes_key, corp_id)


def reply_text(fields: dict[str, Any]) -> str | None:
    """What a passive reply shows in the chat."""
    if not fields:
        return None
    kind = fields.get("MsgType")
    if kind == "text":
        return str(fields.get("Content") or "")
    if kind == "image":
        return "[图片]"
    if kind == "transfer_customer_service":
        return "[已转接人工客服]"
    if kind == "news":
        return "[图文消息]"
    return f"[{escape(str(kind))}]"
