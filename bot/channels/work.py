"""``GET|POST /wechat/work``: the WeCom (企业微信) app callback.

verify (timestamp window, body size, then msg_signature over the Encrypt element, found
without parsing: WeCom bodies are always encrypted, one without a verifying Encrypt is a
403) → decrypt (WeCom's AES envelope, wechatpy) → parse (hardened parse, then wechatpy's
WeCom parser) → dedup (exactly once, shared with the Official Account channel) → staff
commands or customer-contact events → passive reply, encrypted. WeCom never sees a 500:
anything unexpected is an empty 200, a storage
fault (the message could not be recorded) a 503 so that WeCom retries.
"""

from __future__ import annotations

import binascii
import logging
import struct
from typing import Any

from aiohttp import web
from wechatpy.enterprise import parse_message
from wechatpy.enterprise.crypto import WeChatCrypto
from wechatpy.enterprise.exceptions import InvalidCorpIdException
from wechatpy.enterprise.replies import TextReply
from wechatpy.exceptions import InvalidSignatureException

from bot import faults, security
from bot.app import services_of
from bot.channels import dedup
from bot.channels.work_inbound import CHANNEL, WorkMessage
from bot.context import Services
from bot.messages import Reply

log = logging.getLogger(__name__)

PATH = "/wechat/work"
EMPTY = ""  # WeCom: an empty 200 means "received, no reply"
REPLY_BUDGET_S = 4.0
CRYPTO = web.AppKey("work_crypto", WeChatCrypto)


def setup(app: web.Application, services: Services) -> None:
    w = services.settings.work
    app[CRYPTO] = WeChatCrypto(w.token, w.encoding_aes_key, w.corp_id)
    app.router.add_get(PATH, verify)
    app.router.add_post(PATH, receive)


def _empty() -> web.Response:
    return web.Response(text=EMPTY, content_type="text/plain")


def _decrypt(crypto: WeChatCrypto, q: Any, encrypted: str) -> str:
    """Check ``msg_signature`` over ``encrypted`` (constant time), then decrypt it."""
    timestamp, nonce = q.get("timestamp", ""), q.get("nonce", "")
    msg_signature = q.get("msg_signature")
    security.check_msg_signature(crypto.token, msg_signature, timestamp, nonce, encrypted)
    try:
        return crypto.check_signature(msg_signature, timestamp, nonce, encrypted)
    except InvalidCorpIdException:
        raise security.Rejected(403, "CorpId does not match work.corp_id") from None
    except InvalidSignatureException:
        raise security.Rejected(403, "bad msg_signature") from None
    except (ValueError, TypeError, IndexError, struct.error, binascii.Error, UnicodeDecodeError):
        raise security.Rejected(400, "cannot decrypt") from None


def _check_time(services: Services, q: Any) -> None:
    security.check_timestamp(
        q.get("timestamp"), services.clock.now(), services.settings.security.max_clock_skew_s
    )


async def verify(request: web.Request) -> web.Response:
    """URL verification: the decrypted ``echostr`` in plain text."""
    services = services_of(request)
    q = request.query
    try:
        echostr = q.get("echostr", "")
        if not echostr:
            raise security.Rejected(400, "no echostr")
        _check_time(services, q)
        plain = _decrypt(request.app[CRYPTO], q, echostr)
    except security.Rejected as exc:
        return exc.response("work")
    except Exception:
        log.exception("work: verification failed unexpectedly")
        return web.Response(status=400, text="cannot verify", content_type="text/plain")
    return web.Response(text=plain, content_type="text/plain")


async def receive(request: web.Request) -> web.Response:
    services = services_of(request)
    try:
        return await _receive(request, services)
    except security.Rejected as exc:
        return exc.response("work")
    except Exception as exc:
        if (fault := faults.unavailable(exc)) is not None:
            return fault.response("work")  # not recorded: 503, WeChat retries
        log.exception("work: unexpected error; answered empty")
        return _empty()


async def _receive(request: web.Request, services: Services) -> web.Response:
    settings = services.settings
    q = request.query
    _check_time(services, q)
    body = await security.read_body(
        request, settings.security.max_body_bytes, settings.server.header_timeout_s
    )
    crypto: WeChatCrypto = request.app[CRYPTO]
    # msg_signature over the Encrypt element, found by a linear scan, before any parse:
    # an unsigned body costs a find() and a SHA-1, and never reaches the XML parser.
    msg_signature = q.get("msg_signature")
    timestamp, nonce = q.get("timestamp", ""), q.get("nonce", "")
    encrypted = security.find_encrypted(
        body,
        lambda enc: security.signature_ok(crypto.token, msg_signature, timestamp, nonce, enc),
    )
    xml_text = _decrypt(crypto, q, encrypted)
    data = security.parse_xml(xml_text)
    m = WorkMessage(settings.work.corp_id, data)
    if not m.from_user or not m.msg_type:
        raise security.Rejected(400, "not a WeCom message")
    parse_message(xml_text)  # wechatpy's typed view; refuses what it cannot read
    if not m.known:
        log.info("work: unsupported %s/%s; answered empty", m.msg_type, m.event)
        services.metrics.messages.labels(CHANNEL, "unsupported").inc()
        return _empty()

    async def work() -> Reply | None:
        from bot.work.router import handle

        reply = await handle(services, m)
        services.metrics.of(services.metrics.messages, CHANNEL, m.label).inc()
        return reply

    async def deliver_late(reply: Reply) -> None:
        from bot.work.router import send_late_reply

        await send_late_reply(services, m, reply)

    outcome = await dedup.process_once(
        services,
        key=m.dedup_key,
        channel=CHANNEL,
        from_user=m.userid[:128],
        msg_type=m.label,
        budget_s=REPLY_BUDGET_S,
        work=work,
        deliver_late=deliver_late,
        text=m.text or None,
    )
    if outcome.reply is None or not outcome.reply.text:
        return _empty()
    now_ts = str(int(services.clock.now().timestamp()))
    xml = TextReply(
        source=settings.work.corp_id,
        target=m.from_user,
        time=int(now_ts),
        content=outcome.reply.text,
        agent=int(m.agent_id) if m.agent_id.isdigit() else settings.work.agent_id,
    ).render()
    out = crypto.encrypt_message(xml, q.get("nonce", ""), now_ts)
    return web.Response(text=out, content_type="application/xml")
