"""Inbound WeChat messages built exactly as WeChat builds them, for tests and benchmarks.

General (Official Account and WeCom alike): XML bodies for every message and event type,
signed query strings, and the AES envelope of safe / compatible mode made with wechatpy's
``WeChatCrypto`` (the same PKCS#7 / AES-256-CBC scheme as WeChat's official sample code).
Every function takes the token / EncodingAESKey / app id it needs.
"""

from __future__ import annotations

import hashlib
import itertools
import time
from typing import Any

from wechatpy.crypto import WeChatCrypto

# Public test vectors (wechatpy's crypto tests, built with WeChat's algorithm; AgentID form).
# WeChat's own documentation sample (Token "spamtest", EncodingAESKey
# "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", AppId "wx2c2769f8efd9abc2") publishes no
# fixed ciphertext to check against, so these are the vectors used.
VECTOR = {
    "token": "123456",
    "encoding_aes_key": "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR",
    "app_id": "wx49f0ab532d5d035a",
    # server verification (echostr encrypted, as WeCom sends it)
    "verify_signature": "dd6b9c95b495b3f7e2901bfbc76c664930ffdb96",
    "verify_timestamp": "1411443780",
    "verify_nonce": "437374425",
    "verify_echostr": "4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q==",
    # an encrypted inbound message: Content "test" from "messense"
    "msg_signature": "74d92dfeb87ba7c714f89d98870ae5eb62dff26d",
    "msg_timestamp": "1411525903",
    "msg_nonce": "461056294",
    "msg_encrypt": (
        "RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrs"
        "TyeDXzF6Bv283dGymzxh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+"
        "BiYyolBug/gYNx410cvkKR2/nPwBiT+P4hIiOAQqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7"
        "vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvccTKe7FS709/5t6NMxuGhcUGAPOQipvWTT4"
        "dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0="
    ),
}

# Fields WeChat writes as bare numbers; everything else goes in CDATA.
NUMERIC = {
    "CreateTime",
    "MsgId",
    "MsgID",
    "Location_X",
    "Location_Y",
    "Scale",
    "Latitude",
    "Longitude",
    "Precision",
    "AgentID",
    "FileSize",
}

_msg_ids = itertools.count(24000000000000000)


def next_msg_id() -> int:
    """A fresh 64-bit-looking MsgId."""
    return next(_msg_ids)


def cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _node(name: str, value: Any) -> str:
    if isinstance(value, dict):
        inner = "".join(_node(k, v) for k, v in value.items())
        return f"<{name}>{inner}</{name}>"
    if name in NUMERIC:
        return f"<{name}>{value}</{name}>"
    return f"<{name}>{cdata(str(value))}</{name}>"


def xml(fields: dict[str, Any]) -> str:
    """``<xml>`` with the fields in order, CDATA for strings, bare numbers for numeric fields."""
    return "<xml>" + "".join(_node(k, v) for k, v in fields.items() if v is not None) + "</xml>"


def message(
    msg_type: str,
    *,
    from_user: str,
    to_user: str = "gh_sandbox0000",
    create_time: int | None = None,
    msg_id: int | str | None = None,
    **fields: Any,
) -> str:
    """A user message (text, image, voice, video, shortvideo, location, link, file…)."""
    body: dict[str, Any] = {
        "ToUserName": to_user,
        "FromUserName": from_user,
        "CreateTime": create_time if create_time is not None else int(time.time()),
        "MsgType": msg_type,
        **fields,
        "MsgId": msg_id if msg_id is not None else next_msg_id(),
    }
    return xml(body)


def event(
    name: str,
    *,
    from_user: str,
    to_user: str = "gh_sandbox0000",
    create_time: int | None = None,
    key: str | None = None,
    **fields: Any,
) -> str:
    """An event: subscribe, unsubscribe, SCAN, LOCATION, CLICK, VIEW, TEMPLATESENDJOBFINISH…"""
    body: dict[str, Any] = {
        "ToUserName": to_user,
        "FromUserName": from_user,
        "CreateTime": create_time if create_time is not None else int(time.time()),
        "MsgType": "event",
        "Event": name,
        "EventKey": key,
        **fields,
    }
    return xml(body)


# One builder per type, with WeChat's field names.
def text(from_user: str, content: str, **kw: Any) -> str:
    return message("text", from_user=from_user, Content=content, **kw)


def image(from_user: str, media_id: str = "media-img-1", **kw: Any) -> str:
    return message(
        "image", from_user=from_user, PicUrl="http://mmbiz.qpic.cn/x", MediaId=media_id, **kw
    )


def voice(from_user: str, recognition: str | None = None, media_id: str = "media-voice-1", **kw):
    return message(
        "voice",
        from_user=from_user,
        MediaId=media_id,
        Format="amr",
        Recognition=recognition,
        **kw,
    )


def video(from_user: str, media_id: str = "media-video-1", short: bool = False, **kw: Any) -> str:
    return message(
        "shortvideo" if short else "video",
        from_user=from_user,
        MediaId=media_id,
        ThumbMediaId="thumb-1",
        **kw,
    )


def location(from_user: str, label: str = "上海市徐汇区漕溪北路88号", **kw: Any) -> str:
    return message(
        "location",
        from_user=from_user,
        Location_X="31.192000",
        Location_Y="121.437000",
        Scale=15,
        Label=label,
        **kw,
    )


def link(from_user: str, title: str = "说明书", url: str = "https://example.com/m", **kw):
    return message("link", from_user=from_user, Title=title, Description="产品说明", Url=url, **kw)


def file(from_user: str, title: str = "发票.pdf", **kw: Any) -> str:
    return message(
        "file",
        from_user=from_user,
        Title=title,
        Description="",
        FileKey="filekey-1",
        FileMd5="d41d8cd98f00b204e9800998ecf8427e",
        FileTotalLen=1024,
        **kw,
    )


# Signing and the safe-mode envelope.
def signature(token: str, *parts: str) -> str:
    """WeChat's SHA-1 over the sorted token and parts (timestamp, nonce[, Encrypt])."""
    return hashlib.sha1("".join(sorted([token, *parts])).encode("utf-8")).hexdigest()


def signed_query(token: str, timestamp: int | str, nonce: str = "1320562132", **extra: str):
    """``signature``, ``timestamp``, ``nonce`` (+ extras) as WeChat puts them on the URL."""
    ts = str(timestamp)
    return {"signature": signature(token, ts, nonce), "timestamp": ts, "nonce": nonce, **extra}


def _encrypt(token: str, aes_key: str, app_id: str, plain: str, ts: str, nonce: str) -> str:
    envelope = WeChatCrypto(token, aes_key, app_id).encrypt_message(plain, nonce, ts)
    start = envelope.index("<Encrypt><![CDATA[") + len("<Encrypt><![CDATA[")
    return envelope[start : envelope.index("]]></Encrypt>")]


def inbound(
    plain_xml: str,
    *,
    token: str,
    timestamp: int | str,
    mode: str = "plain",
    aes_key: str | None = None,
    app_id: str | None = None,
    nonce: str = "1320562132",
    to_user: str = "gh_sandbox0000",
) -> tuple[dict[str, str], str]:
    """``(query, body)`` of a POST as WeChat sends it in ``mode`` plain | compatible | safe."""
    ts = str(timestamp)
    if mode == "plain":
        return signed_query(token, ts, nonce), plain_xml
    if aes_key is None or app_id is None:
        raise ValueError("compatible and safe modes need aes_key and app_id")
    encrypted = _encrypt(token, aes_key, app_id, plain_xml, ts, nonce)
    query = signed_query(
        token,
        ts,
        nonce,
        encrypt_type="aes",
        msg_signature=signature(token, ts, nonce, encrypted),
    )
    if mode == "safe":
        body = xml({"ToUserName": to_user, "Encrypt": encrypted})
    elif mode == "compatible":  # the plaintext fields, plus Encrypt
        body = plain_xml.replace("</xml>", f"<Encrypt>{cdata(encrypted)}</Encrypt></xml>")
    else:
        raise ValueError(f"unknown mode {mode!r}")
    return query, body


def decrypt_reply(
    body: str, *, token: str, aes_key: str, app_id: str, nonce: str | None = None
) -> str:
    """The plaintext of an encrypted passive reply, after checking its MsgSignature (and,
    when given, that it echoes the request's nonce, as wechatpy-based servers do)."""
    import xmltodict

    env = xmltodict.parse(body)["xml"]
    expected = signature(token, str(env["TimeStamp"]), str(env["Nonce"]), env["Encrypt"])
    if expected != env["MsgSignature"] or (nonce is not None and env["Nonce"] != nonce):
        raise AssertionError("reply envelope signature does not verify")
    return WeChatCrypto(token, aes_key, app_id).decrypt_message(
        env, env["MsgSignature"], str(env["TimeStamp"]), str(env["Nonce"])
    )


def parse_reply(body: str) -> dict[str, Any]:
    """A plaintext passive reply as a dict (empty for "success" / "")."""
    import xmltodict

    if body.strip() in ("", "success"):
        return {}
    return dict(xmltodict.parse(body)["xml"])


class Sender:
    """Posts messages to a webhook the way WeChat does, and reads the passive reply back.

    ``client`` is an aiohttp ``TestClient`` (or anything with ``post``/``get`` taking
    ``params`` and ``data``). ``mode``: plain | compatible | safe.
    """

    def __init__(
        self,
        client: Any,
        path: str,
        *,
        token: str,
        timestamp: int,
        aes_key: str | None = None,
        app_id: str | None = None,
        mode: str = "safe",
    ) -> None:
        self.client, self.path, self.token = client, path, token
        self.aes_key, self.app_id, self.mode = aes_key, app_id, mode
        self.timestamp = timestamp
        self._nonces = itertools.count(1000)

    def build(self, plain_xml: str, mode: str | None = None, **kw: Any):
        nonce = kw.pop("nonce", None) or str(next(self._nonces))
        return inbound(
            plain_xml,
            token=kw.pop("token", self.token),
            timestamp=kw.pop("timestamp", self.timestamp),
            mode=mode or self.mode,
            aes_key=kw.pop("aes_key", self.aes_key),
            app_id=kw.pop("app_id", self.app_id),
            nonce=nonce,
            **kw,
        ), nonce

    async def post(self, plain_xml: str, mode: str | None = None, **kw: Any):
        """``(status, reply)``: reply is the decrypted passive reply as a dict ({} if empty)."""
        (query, body), nonce = self.build(plain_xml, mode, **kw)
        resp = await self.client.post(self.path, params=query, data=body.encode("utf-8"))
        text = await resp.text()
        if resp.status != 200:
            return resp.status, {"error": text}
        if (mode or self.mode) != "plain" and text.strip() not in ("", "success"):
            assert self.aes_key and self.app_id
            text = decrypt_reply(
                text, token=self.token, aes_key=self.aes_key, app_id=self.app_id, nonce=nonce
            )
        return resp.status, parse_reply(text)
