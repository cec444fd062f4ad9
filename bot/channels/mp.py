"""``GET|POST /wechat/mp``: the Official Account webhook.

verify (signature, timestamp window, body size) → decrypt (safe / compatible mode) → parse
(hardened pre-parse, then wechatpy) → dedup (exactly once, within the reply budget) →
dialog or event → reply, encrypted in the mode the message came in. WeChat never sees a
500: anything unexpected is logged and answered with an empty 200, except a storage fault
(the message could not be recorded), answered 503 so that WeChat retries (bot/faults.py).
"""

from __future__ import annotations

import binascii
import logging
import struct
from typing import Any

from aiohttp import web
from wechatpy import parse_message
from wechatpy.exceptions import InvalidAppIdException
from wechatpy.replies import ImageReply, TransferCustomerServiceReply

from bot import dialog, faults, security
from bot.app import services_of
from bot.channels import dedup
from bot.channels.mp_envelope import MpEnvelope
from bot.channels.mp_inbound import (
    CHANNEL,
    MpMessage,
    bookkeeping,
    event_reply,
    link_unionid_later,
    to_inbound,
)
from bot.channels.mp_reply import text_reply
from bot.context import Services
from bot.messages import Reply
from storage.repos import outbox as outbox_repo

log = logging.getLogger(__name__)

PATH = "/wechat/mp"
EMPTY = "success"  # WeChat: neither a reply nor a retry
CRYPTO = web.AppKey("mp_crypto", MpEnvelope)


def setup(app: web.Application, services: Services) -> None:
    mp = services.settings.mp
    if mp.encoding_aes_key:
        app[CRYPTO] = MpEnvelope(mp.token, mp.encoding_aes_key, mp.app_id)
    app.router.add_get(PATH, verify)
    app.router.add_post(PATH, receive)


def _empty() -> web.Response:
    return web.Response(text=EMPTY, content_type="text/plain")


def _check_query(services: Services, q: Any) -> None:
    security.check_signature(
        services.settings.mp.token, q.get("signature"), q.get("timestamp", ""), q.get("nonce", "")
    )
    security.check_timestamp(
        q.get("timestamp"), services.clock.now(), services.settings.security.max_clock_skew_s
    )


async def verify(request: web.Request) -> web.Response:
    """Server verification: echo ``echostr`` when the signature is WeChat's."""
    services = services_of(request)
    try:
        _check_query(services, request.query)
    except security.Rejected as exc:
        return exc.response("mp")
    return web.Response(text=request.query.get("echostr", ""), content_type="text/plain")


async def receive(request: web.Request) -> web.Response:
    services = services_of(request)
    try:
        return await _receive(request, services)
    except security.Rejected as exc:
        return exc.response("mp")
    except Exception as exc:
        if (fault := faults.unavailable(exc)) is not None:
            return fault.response("mp")  # not recorded: 503, WeChat retries
        log.exception("mp: unexpected error; answered empty")
        return _empty()


def _decrypt(request: web.Request, body: bytes) -> str:
    """The plaintext XML of a safe- or compatible-mode body: ``Encrypt`` is found without
    parsing the body and checked against ``msg_signature`` before anything else; the
    plaintext fields beside it (compatible mode) are never read."""
    q = request.query
    crypto: MpEnvelope | None = request.app.get(CRYPTO)
    if crypto is None:
        raise security.Rejected(400, "encrypted message but no mp.encoding_aes_key")
    timestamp, nonce = q.get("timestamp", ""), q.get("nonce", "")
    msg_signature = q.get("msg_signature")
    encrypted = security.find_encrypted(
        body,
        lambda enc: security.signature_ok(crypto.token, msg_signature, timestamp, nonce, enc),
    )
    try:  # msg_signature is verified (find_encrypted): wechatpy's AES and AppId check only
        return crypto.open(encrypted)
    except InvalidAppIdException:
        raise security.Rejected(403, "AppId does not match mp.app_id") from None
    except (ValueError, TypeError, IndexError, struct.error, binascii.Error, UnicodeDecodeError):
        raise security.Rejected(400, "cannot decrypt") from None


async def _receive(request: web.Request, services: Services) -> web.Response:
    settings = services.settings
    q = request.query
    _check_query(services, q)
    encrypt_type = (q.get("encrypt_type") or "raw").lower()
    if encrypt_type not in ("raw", "aes"):
        raise security.Rejected(400, f"unknown encrypt_type {encrypt_type!r}")
    body = await security.read_body(
        request, settings.security.max_body_bytes, settings.server.header_timeout_s
    )
    # safe / compatible: only the encrypted part counts, whatever the URL says; a body
    # without it is refused (403) before it is parsed. plain: as the URL says.
    encrypted = settings.mp.mode != "plain" or encrypt_type == "aes"
    if encrypted:
        xml_text = _decrypt(request, body)
        data = security.parse_xml(xml_text)
    else:
        data = security.parse_xml(body)
        xml_text = body.decode("utf-8")

    m = MpMessage.of(settings.mp.app_id, data)
    if not m.openid or not m.msg_type:
        raise security.Rejected(400, "not a WeChat message")
    if not m.known:
        parsed = parse_message(xml_text)  # wechatpy's typed view (UnknownMessage for new types)
        log.info("mp: unknown message %s/%s (%s); answered empty", m.msg_type, m.event, parsed.type)
        services.metrics.messages.labels(CHANNEL, "unsupported").inc()
        return _empty()

    key = m.dedup_key

    async def on_claim(session) -> None:
        await bookkeeping(session, services, m)

    async def work() -> Reply | None:
        if m.goes_to_dialog:
            reply = await dialog.respond(services, to_inbound(services, m))
        else:
            reply = event_reply(m)
            if m.event == "subscribe":
                services.spawn(link_unionid_later(services, m))
        label = (reply.intent if reply is not None else None) or m.label
        services.metrics.of(services.metrics.messages, CHANNEL, label).inc()
        return reply

    async def deliver_late(reply: Reply) -> None:
        await send_late_reply(services, m, key, reply)

    outcome = await dedup.process_once(
        services,
        key=key,
        channel=CHANNEL,
        from_user=m.openid,
        msg_type=m.label,
        budget_s=settings.mp.reply_budget_s,
        work=work,
        deliver_late=deliver_late,
        on_claim=on_claim,
        text=m.text,
    )
    if outcome.reply is None:
        return _empty()
    xml = render_reply(outcome.reply, m, int(services.clock.now().timestamp()))
    if encrypted:
        xml = request.app[CRYPTO].seal(
            xml, q.get("nonce", ""), str(int(services.clock.now().timestamp()))
        )
    return web.Response(text=xml, content_type="application/xml")


def render_reply(reply: Reply, m: MpMessage, now_ts: int) -> str:
    """The passive reply XML (wechatpy's replies), from the account to the sender."""
    source = str(m.data.get("ToUserName") or "")
    if reply.transfer_customer_service:
        out: Any = TransferCustomerServiceReply(source=source, target=m.openid, time=now_ts)
    elif reply.image_media_id:
        out = ImageReply(image=reply.image_media_id, source=source, target=m.openid, time=now_ts)
    else:
        return text_reply(source, m.openid, now_ts, reply.text or "")
    return out.render()


async def send_late_reply(services: Services, m: MpMessage, key: str, reply: Reply) -> None:
    """Queue a reply that missed the budget as a customer-service message, and send it soon."""
    payload: dict[str, Any] = {"dedup_key": key}
    if reply.image_media_id:
        payload.update(msgtype="image", media_id=reply.image_media_id)
    if not reply.text and not reply.image_media_id:
        log.info("mp: a late transfer-to-agent reply has nothing to send by message")
        return
    async with services.db.transaction() as session:
        row = await outbox_repo.enqueue(
            session,
            channel="mp_kf",
            recipient=m.openid,
            text=reply.text or None,
            kind="reply",
            customer_id=m.customer_id,
            idem_key=f"late:{key}",
            payload=payload,
        )
    if row is None:
        return
    from bot.outbox import deliver_soon

    await deliver_soon(services, [row.id])
