"""Issue 16, proof: a hypothesis fuzz run over the webhook entry of ``/wechat/mp`` and
``/wechat/work`` — XML bodies (well-formed messages, random trees, duplicates, deep nesting,
junk bytes, bodies up to and past ``security.max_body_bytes``), the crypto envelope (safe
and compatible mode built with wechatpy's crypto, tampered and garbage ciphertext) and query
strings (valid, mutated, random).

Every answer must be one of 200 / 400 / 403 / 408 / 413 — never a 500 — and no request may
log an ERROR (an unexpected exception the channel swallowed into an empty 200). Each
request's time inside the server is recorded and printed at the end (no timed assert):

    FUZZ_EXAMPLES=1000 .venv/bin/python -m pytest tests/security/test_fuzz_webhook.py -s -q
"""

from __future__ import annotations

import asyncio
import http.client
import logging
import os
import shutil
import threading
import time
from collections import defaultdict
from urllib.parse import urlencode

import pytest
from aiohttp import web
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bot.dialog
from bot.messages import Reply
from tests.conftest import NOW, make_settings
from tests.fakes import wxmsg

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "100"))
TS = int(NOW.timestamp())
LIMIT = 65536  # security.max_body_bytes of the shipped config
ALLOWED = {200, 400, 403, 408, 413}
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=os.environ.get("FUZZ_RANDOM") is None,  # reproducible in CI by default
)


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(f"{record.name}: {record.getMessage()}")


class Server:
    """The app on 127.0.0.1 in its own thread and loop; requests over one keep-alive
    connection; the time of each request inside the server, by route."""

    def __init__(self, settings_) -> None:
        self.settings = settings_
        self.times: dict[str, list[float]] = defaultdict(list)
        self.slow: list[str] = []  # requests over 50 ms: what they were
        self.ready = threading.Event()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.conn: http.client.HTTPConnection | None = None

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._start())
        self.ready.set()
        self.loop.run_forever()

    async def _start(self) -> None:
        from bot.app import create_app
        from bot.context import build_services

        self.services = build_services(self.settings, now=NOW)
        app = create_app(self.services)

        @web.middleware
        async def timed(request, handler):
            started = time.perf_counter()
            status = 500
            try:
                response = await handler(request)
                status = response.status
                return response
            finally:
                took = time.perf_counter() - started
                kind = "answered" if status == 200 else "refused"
                self.times[f"{request.path} {kind}"].append(took)
                if took > 0.05:
                    self.slow.append(
                        f"{took * 1000:.0f} ms {request.method} {request.path} -> {status}, "
                        f"{request.content_length or 0} bytes"
                    )

        app.middlewares.insert(0, timed)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    def start(self) -> Server:
        self.thread.start()
        self.ready.wait(30)
        return self

    def stop(self) -> None:
        async def down() -> None:
            await self.runner.cleanup()
            await self.services.close()

        asyncio.run_coroutine_threadsafe(down(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    def request(self, method: str, path: str, query: dict[str, str], body: bytes = b"") -> int:
        url = path + ("?" + urlencode(query) if query else "")
        for _ in range(2):  # the server may close a connection after a refusal
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                self.conn.request(method, url, body=body if method == "POST" else None)
                resp = self.conn.getresponse()
                resp.read()
                if resp.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return resp.status
            except (ConnectionError, http.client.HTTPException):
                self.conn.close()
                self.conn = None
        raise AssertionError(f"{method} {path}: no answer")


@pytest.fixture(scope="module")
def servers(tmp_path_factory, migrated_template):
    """Two servers: the Official Account in safe mode (the default with a key) and in plain
    mode (plaintext bodies reach the parser), both with WeCom; the dialog answers 收到."""
    real = bot.dialog.respond

    async def stub(services, inbound):
        return Reply(text="收到～", intent="unknown")

    bot.dialog.respond = stub
    errors = _Errors()
    logging.getLogger().addHandler(errors)
    out = {}
    for mode in ("safe", "plain"):
        db = tmp_path_factory.mktemp(f"fuzz-{mode}") / "wxbot.db"
        shutil.copy(migrated_template, db)
        out[mode] = _warm(Server(make_settings(db, mp={"message_mode": mode})).start(), mode)
    yield out, errors
    for server in out.values():
        server.stop()
    logging.getLogger().removeHandler(errors)
    bot.dialog.respond = real
    _report(out)


def _warm(server: Server, mode: str) -> Server:
    """One real message to each webhook first: the first one imports and opens what every
    later one uses (a few hundred ms, once per process); the figures are for the rest."""
    from tests.test_work_kit import envelope
    from tests.test_work_kit import text as work_text

    mp = server.settings.mp
    query, body = wxmsg.inbound(
        wxmsg.text("o-warm", "你好"),
        token=mp.token,
        timestamp=TS,
        mode=mode,
        aes_key=mp.encoding_aes_key,
        app_id=mp.app_id,
    )
    assert server.request("POST", "/wechat/mp", query, body.encode()) == 200
    corp = server.settings.work.corp_id
    query, body = envelope(server.settings, work_text("G001", "任务", corp=corp))
    assert server.request("POST", "/wechat/work", query, body.encode()) == 200
    server.times.clear()
    server.slow.clear()
    return server


def _report(out: dict[str, Server]) -> None:
    print(f"\nfuzz: {EXAMPLES} examples per test; time inside the server per request")
    for mode, server in out.items():
        for path, times in sorted(server.times.items()):
            times = sorted(times)
            p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
            print(
                f"  mp={mode:5} {path:22} n={len(times):5}  p50={times[len(times) // 2] * 1000:6.2f}"
                f" ms  p99={p99 * 1000:6.2f} ms  max={times[-1] * 1000:6.2f} ms"
            )
        for line in server.slow:
            print(f"    over 50 ms: {line}")


# -- strategies ----------------------------------------------------------------------
FIELDS = [
    "ToUserName",
    "FromUserName",
    "CreateTime",
    "MsgType",
    "Content",
    "MsgId",
    "Event",
    "EventKey",
    "Encrypt",
    "AgentID",
    "Recognition",
    "ScanCodeInfo",
    "PicList",
    "item",
    "xml",
    "a",
]
texts = st.one_of(
    st.text(max_size=80),
    st.sampled_from(["text", "event", "subscribe", "CLICK", "o-1", "G001", "1", "-1", "]]>"]),
    st.integers(0, LIMIT).map(lambda n: "一" * (n // 3)),  # up to the size limit
    st.integers(0, LIMIT).map(lambda n: "1" * n),
)


def _escape(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;")


leaf = st.tuples(st.sampled_from(FIELDS), texts, st.booleans()).map(
    lambda t: f"<{t[0]}>{wxmsg.cdata(t[1]) if t[2] else _escape(t[1])}</{t[0]}>"
)
trees = st.recursive(
    leaf,
    lambda inner: st.tuples(st.sampled_from(FIELDS), st.lists(inner, max_size=4)).map(
        lambda t: f"<{t[0]}>{''.join(t[1])}</{t[0]}>"
    ),
    max_leaves=12,
)
deep = st.tuples(st.sampled_from(FIELDS), st.integers(1, 12000)).map(
    lambda t: f"<xml>{f'<{t[0]}>' * t[1]}x{f'</{t[0]}>' * t[1]}</xml>"
)
messages = st.one_of(
    st.builds(wxmsg.text, st.text(min_size=1, max_size=40), texts),
    st.builds(
        lambda name, who, key: wxmsg.event(name, from_user=who, key=key),
        st.sampled_from(["subscribe", "unsubscribe", "SCAN", "CLICK", "VIEW", "LOCATION", "x"]),
        st.text(min_size=1, max_size=40),
        st.one_of(st.none(), st.text(max_size=300)),
    ),
)
plaintexts = st.one_of(
    messages,
    st.lists(trees, max_size=8).map(lambda kids: "<xml>" + "".join(kids) + "</xml>"),
    deep,
    trees,
    st.binary(max_size=3000).map(lambda b: b.decode("latin-1")),
    st.sampled_from(
        [
            "",
            "<xml/>",
            '<!DOCTYPE x [<!ENTITY e "boom">]><xml><FromUserName>&e;</FromUserName></xml>',
            "<xml><FromUserName>o</FromUserName><FromUserName>p</FromUserName></xml>",
        ]
    ),
)
nonces = st.one_of(st.just("1320562132"), st.text(max_size=20))
timestamps = st.one_of(st.just(TS), st.integers(-(2**70), 2**70), st.just(TS - 301))


def _mutate(query: dict[str, str], data) -> dict[str, str]:
    """Drop, change or add query parameters."""
    out = dict(query)
    for key in data.draw(st.lists(st.sampled_from(sorted(out) or ["x"]), max_size=2)):
        out.pop(key, None)
    for key in data.draw(
        st.lists(
            st.sampled_from(
                ["signature", "msg_signature", "timestamp", "nonce", "encrypt_type", "echostr"]
            ),
            max_size=2,
        )
    ):
        out[key] = data.draw(st.one_of(st.text(max_size=60), st.sampled_from(["aes", "raw", ""])))
    return out


def _body_bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _check(server: Server, errors: _Errors, status: int) -> None:
    logged, errors.records = errors.records, []
    assert status in ALLOWED, status
    assert logged == [], logged


def _envelope(s, plain: str, mode: str, ts: int, nonce: str, data) -> tuple[dict, str]:
    mp = s.mp
    query, body = wxmsg.inbound(
        plain,
        token=mp.token,
        timestamp=ts,
        mode=mode,
        aes_key=mp.encoding_aes_key,
        app_id=mp.app_id,
        nonce=nonce,
    )
    twist = data.draw(st.sampled_from(["none", "none", "flip", "garbage", "twice", "strip"]))
    if twist == "flip" and "<Encrypt>" in body:
        i = body.index("<Encrypt>") + len("<Encrypt><![CDATA[") + 5
        body = body[:i] + ("A" if body[i] != "A" else "B") + body[i + 1 :]
    elif twist == "garbage":
        garbage = data.draw(st.sampled_from(["QUJD", "bm90IGVuY3J5cHRlZA==", "A" * 64]))
        query["msg_signature"] = wxmsg.signature(mp.token, str(ts), nonce, garbage)
        body = wxmsg.xml({"ToUserName": "gh", "Encrypt": garbage})
    elif twist == "twice":
        body = (
            body.replace("</xml>", body[body.index("<Encrypt>") :]) if "<Encrypt>" in body else body
        )
    elif twist == "strip":
        body = body.replace("<![CDATA[", "").replace("]]>", "")
    return query, body


# -- the runs ------------------------------------------------------------------------
@FUZZ
@given(data=st.data())
def test_fuzz_mp(servers, data):
    out, errors = servers
    server = out[data.draw(st.sampled_from(["safe", "plain"]))]
    s = server.settings
    plain = data.draw(plaintexts)
    ts, nonce = data.draw(timestamps), data.draw(nonces)
    mode = data.draw(st.sampled_from(["plain", "compatible", "safe"]))
    if mode == "plain" or not plain:
        query, body = wxmsg.signed_query(s.mp.token, ts, nonce), plain
    else:
        try:
            query, body = _envelope(s, plain, mode, ts, nonce, data)
        except UnicodeEncodeError:
            return  # wechatpy cannot encrypt lone surrogates; WeChat never would either
    if data.draw(st.booleans()):
        query = _mutate(query, data)
    status = server.request("POST", "/wechat/mp", query, _body_bytes(body)[: LIMIT + 100])
    _check(server, errors, status)


@FUZZ
@given(data=st.data())
def test_fuzz_work(servers, data):
    from wechatpy.enterprise.crypto import WeChatCrypto

    out, errors = servers
    server = out["safe"]
    w = server.settings.work
    plain = data.draw(plaintexts)
    ts, nonce = data.draw(timestamps), data.draw(nonces)
    try:
        env = WeChatCrypto(w.token, w.encoding_aes_key, w.corp_id).encrypt_message(
            plain or "x", nonce, ts
        )
    except UnicodeEncodeError:
        return
    enc = env[env.index("<Encrypt><![CDATA[") + 18 : env.index("]]></Encrypt>")]
    query = {
        "msg_signature": wxmsg.signature(w.token, str(ts), nonce, enc),
        "timestamp": str(ts),
        "nonce": nonce,
    }
    body = data.draw(
        st.sampled_from(
            [
                wxmsg.xml({"ToUserName": w.corp_id, "Encrypt": enc, "AgentID": w.agent_id}),
                f"<xml><Encrypt>{enc}</Encrypt></xml>",
                plain,  # no envelope at all
                "<xml>" + "<a>" * 2000 + f"<Encrypt>{enc}</Encrypt>" + "</a>" * 2000 + "</xml>",
            ]
        )
    )
    if data.draw(st.booleans()):
        query = _mutate(query, data)
    status = server.request("POST", "/wechat/work", query, _body_bytes(body)[: LIMIT + 100])
    _check(server, errors, status)


@FUZZ
@given(data=st.data())
def test_fuzz_verification_queries(servers, data):
    out, errors = servers
    server = out["safe"]
    path = data.draw(st.sampled_from(["/wechat/mp", "/wechat/work"]))
    s = server.settings
    ts, nonce = data.draw(timestamps), data.draw(nonces)
    query = wxmsg.signed_query(s.mp.token, ts, nonce, echostr=data.draw(st.text(max_size=50)))
    query = _mutate(query, data)
    _check(server, errors, server.request("GET", path, query))
