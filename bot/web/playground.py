"""``/playground`` (sandbox mode only): talk to the bot in the browser as a customer or a guide.

Every message takes the real path: the server builds the XML, signs and encrypts it as
WeChat (or WeCom) does, POSTs it to this very app's ``/wechat/mp`` (``/wechat/work``),
and decrypts the passive reply. What the bot sends later (customer-service messages,
care messages, rating requests) is read from the outbox by recipient and polled.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

import aiohttp
from aiohttp import web

from bot.config import MenuButton
from bot.context import Services
from bot.security import is_local
from bot.web import wxsim
from bot.web.common import int_param, services_of
from bot.web.render import page
from storage.repos import admin_playground

log = logging.getLogger(__name__)
HTTP = web.AppKey("playground_http", aiohttp.ClientSession)
MAX_TEXT = 600
NEW_FOLLOWER_PREFIX = "pg-new-"
HEADER = "X-Playground"  # a custom header: cross-site forms cannot send it
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
}


def setup(app: web.Application, services: Services) -> None:
    async def http_client(app: web.Application):
        app[HTTP] = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20))
        yield
        await app[HTTP].close()

    app.cleanup_ctx.append(http_client)
    app.middlewares.append(local_only)
    r = app.router
    r.add_get("/playground", index)
    r.add_get("/playground/", index)
    r.add_post("/playground/api/mp", send_mp)
    r.add_post("/playground/api/work", send_work)
    r.add_get("/playground/api/feed", feed)


async def _admin_logged_in(request: web.Request) -> bool:
    """The admin console's own session check (bot.web.admin)."""
    from bot.web.admin.session import signed_in

    return await signed_in(request)


@web.middleware
async def local_only(request: web.Request, handler):
    """The playground shows every customer and staff notice: only for this machine
    (loopback, not through a proxy) or a logged-in admin; anyone else gets a 404."""
    path = request.path
    if (path == "/playground" or path.startswith("/playground/")) and not (
        is_local(request) or await _admin_logged_in(request)
    ):
        raise web.HTTPNotFound()
    return await handler(request)


def _menu(buttons: list[MenuButton]) -> list[dict[str, Any]]:
    return [
        {"name": b.name, "key": b.key, "url": b.url, "sub": _menu(b.sub)}
        for b in buttons
        if b.key or b.sub or b.url
    ]


async def index(request: web.Request) -> web.Response:
    services = services_of(request)
    async with services.db.session() as s:
        people = await admin_playground.mp_people(s, services.settings.mp.app_id)
        staff = await admin_playground.staff(s)
    response = page(
        request,
        "playground/index.html",
        {
            "people": [
                {"openid": o, "name": c.name or "（未留名）", "phone": (c.phone or "")[-4:]}
                for o, c in people
            ],
            "staff": [
                {"userid": st.wecom_userid, "name": st.name, "role": st.role, "store": store.name}
                for st, store in staff
            ],
            "menu": _menu(services.settings.mp.menu),
            "mode": "work" if request.query.get("as") == "work" else "mp",
        },
    )
    response.headers.update(SECURITY_HEADERS)
    return response


def _self_url(request: web.Request, path: str) -> str:
    """This server's own address, as the connection came in (not the Host header)."""
    sock = request.transport.get_extra_info("sockname") if request.transport else None
    if not sock or not isinstance(sock, tuple):
        raise web.HTTPServiceUnavailable(text="playground needs a TCP listener")
    host, port = sock[0], sock[1]
    if host in ("0.0.0.0", ""):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}{path}"


async def _json(request: web.Request) -> dict[str, Any]:
    if request.headers.get(HEADER) != "1":
        raise web.HTTPForbidden(text="playground requests carry X-Playground: 1")
    try:
        data = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text="JSON body expected") from None
    if not isinstance(data, dict):
        raise web.HTTPBadRequest(text="JSON object expected")
    return data


def _text(data: dict[str, Any]) -> str | None:
    text = data.get("text")
    if text is None:
        return None
    text = str(text).strip()
    if not text:
        raise web.HTTPBadRequest(text="empty message")
    return text[:MAX_TEXT]


async def _post(request: web.Request, path: str, signed: wxsim.Signed) -> tuple[int, str]:
    session = request.app[HTTP]
    async with session.post(
        _self_url(request, path),
        params=signed.query,
        data=signed.body.encode("utf-8"),
        headers={"Content-Type": "text/xml; charset=utf-8"},
    ) as resp:
        return resp.status, await resp.text()


def _answer(status: int, body: str, crypto: Any) -> web.Response:
    if status != 200:
        log.warning("playground: webhook answered %s", status)
        return web.json_response(
            {"ok": False, "status": status, "error": body[:200], "replies": []}, status=502
        )
    fields = wxsim.open_reply(body, crypto)
    text = wxsim.reply_text(fields)
    return web.json_response(
        {"ok": True, "replies": [{"text": text}] if text is not None else []},
        headers=SECURITY_HEADERS,
    )


async def send_mp(request: web.Request) -> web.Response:
    """A customer's message or event, through /wechat/mp in safe mode (plain if no AES key)."""
    services = services_of(request)
    mp = services.settings.mp
    data = await _json(request)
    openid = str(data.get("openid") or "")
    if data.get("event") == "subscribe" and not openid:
        openid = NEW_FOLLOWER_PREFIX + secrets.token_hex(6)
    if not openid or len(openid) > 64:
        raise web.HTTPBadRequest(text="openid needed")
    ts = int(services.clock.now().timestamp())
    to_user = "gh_playground"
    event = data.get("event")
    if event == "subscribe":
        plain = wxsim.event_message(openid, to_user, "subscribe", ts)
    elif event == "CLICK":
        key = str(data.get("key") or "")
        if not key:
            raise web.HTTPBadRequest(text="menu key needed")
        plain = wxsim.event_message(openid, to_user, "CLICK", ts, key=key)
    elif event:
        raise web.HTTPBadRequest(text="unknown event")
    else:
        text = _text(data)
        if text is None:
            raise web.HTTPBadRequest(text="text needed")
        plain = wxsim.text_message(openid, to_user, text, ts)
    if mp.encoding_aes_key:
        signed = wxsim.mp_safe_post(mp.token, mp.encoding_aes_key, mp.app_id, plain, ts)
        crypto: Any = wxsim.mp_crypto(mp.token, mp.encoding_aes_key, mp.app_id)
    else:
        nonce = str(secrets.randbelow(10**9))
        query = {
            "signature": wxsim.sha1_sign(mp.token, str(ts), nonce),
            "timestamp": str(ts),
            "nonce": nonce,
        }
        signed, crypto = wxsim.Signed(query, plain, nonce), None
    status, body = await _post(request, "/wechat/mp", signed)
    response = _answer(status, body, crypto)
    if event == "subscribe":
        response.headers["X-Openid"] = openid
    return response


async def send_work(request: web.Request) -> web.Response:
    """A guide's message to the WeCom app, through /wechat/work."""
    services = services_of(request)
    w = services.settings.work
    data = await _json(request)
    userid = str(data.get("userid") or "")
    if not userid or len(userid) > 64:
        raise web.HTTPBadRequest(text="userid needed")
    text = _text(data)
    if text is None:
        raise web.HTTPBadRequest(text="text needed")
    ts = int(services.clock.now().timestamp())
    plain = wxsim.text_message(userid, w.corp_id, text, ts, AgentID=w.agent_id)
    signed = wxsim.work_post(w.token, w.encoding_aes_key, w.corp_id, w.agent_id, plain, ts)
    status, body = await _post(request, "/wechat/work", signed)
    return _answer(status, body, wxsim.work_crypto(w.token, w.encoding_aes_key, w.corp_id))


async def feed(request: web.Request) -> web.Response:
    """Outbox messages to ``to`` after id ``after``; with ``history=1``, the last few instead."""
    services = services_of(request)
    to = request.query.get("to") or ""
    if not to:
        raise web.HTTPBadRequest(text="to needed")
    after = int_param(request, "after")
    async with services.db.session() as s:
        if request.query.get("history") == "1":
            rows = await admin_playground.tail(s, to, 5)
            cursor = max([await admin_playground.last_id(s), *(r.id for r in rows)])
        else:
            rows = await admin_playground.feed(s, to, after)
            cursor = max([after, *(r.id for r in rows)])
    tz = services.settings.tz
    items = [
        {
            "id": r.id,
            "text": r.text or _payload_text(r.payload),
            "kind": r.kind,
            "rule": r.rule,
            "channel": r.channel,
            "status": r.status,
            "at": r.created_at.astimezone(tz).strftime("%m-%d %H:%M"),
        }
        for r in rows
    ]
    return web.json_response({"items": items, "cursor": cursor}, headers=SECURITY_HEADERS)


def _payload_text(payload: dict[str, Any] | None) -> str:
    """Something to show for a message without text (a template notice, an image)."""
    if not payload:
        return "[消息]"
    data = payload.get("data")
    if isinstance(data, dict):
        lines = [
            str(v.get("value") if isinstance(v, dict) else v)
            for v in data.values()
            if v is not None
        ]
        return "[服务通知] " + " / ".join(lines)
    if payload.get("msgtype") == "image":
        return "[图片]"
    return "[消息]"
