"""A fake WeChat + WeCom API server on 127.0.0.1 (random port), for tests and benchmarks.

    async with FakeWeChat() as fake:
        settings = make_settings(db, sandbox=False,
                                 mp={"api_base_url": fake.base_url},
                                 work={"api_base_url": fake.base_url})
        ...
        fake.calls("/cgi-bin/message/custom/send")   # [Call(method, path, query, json)], in order
        fake.script("/cgi-bin/message/custom/send", [45015, 500, "drop", {"errcode": 0}])
        fake.expire_tokens()                         # tokens issued so far now answer 42001

Endpoints: /cgi-bin/token, /cgi-bin/message/custom/send, /cgi-bin/message/template/send,
/cgi-bin/user/info, /cgi-bin/menu/create, WeCom /cgi-bin/gettoken, /cgi-bin/message/send,
/cgi-bin/externalcontact/send_welcome_msg, /cgi-bin/externalcontact/add_msg_template,
/cgi-bin/webhook/send (any other /cgi-bin/ path answers ok too).

Scripted answers are used once each, in order, before the default answer comes back:
an int errcode (40001, 42001, 45015, 43004, 45009, 45047, -1…) → {"errcode": n, "errmsg"};
an int 500–599 → that HTTP status; "drop" → the connection is closed with no answer;
a dict → that JSON; {"delay": seconds} → wait, then answer normally.
Calls with an unknown access_token answer 40001, an expired one 42001 (and are recorded).
``FakeWeChat(threaded=True)`` runs the server on its own loop in a thread (benchmarks).
"""

from __future__ import annotations

import asyncio
import itertools
import threading
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Any

from aiohttp import web

NO_TOKEN_PATHS = {"/cgi-bin/token", "/cgi-bin/gettoken", "/cgi-bin/webhook/send"}


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, str]
    json: Any


class FakeWeChat:
    def __init__(self, threaded: bool = False, token_ttl: int = 7200) -> None:
        self.threaded = threaded
        self.token_ttl = token_ttl
        self.base_url = ""
        self._calls: list[Call] = []
        self._scripts: dict[str, deque[Any]] = defaultdict(deque)
        self._tokens: set[str] = set()
        self._expired: set[str] = set()
        self._seq = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    # -- the test's side ---------------------------------------------------------------
    def calls(self, path: str | None = None) -> list[Call]:
        return [c for c in list(self._calls) if path is None or c.path == path]

    def script(self, path: str, answers: list[Any]) -> None:
        self._scripts[path].extend(answers)

    def expire_tokens(self) -> None:
        self._expired |= self._tokens
        self._tokens = set()

    def reset(self) -> None:
        self._calls.clear()
        self._scripts.clear()

    # -- the server ----------------------------------------------------------------------
    def _default(self, path: str, query: dict[str, str]) -> dict[str, Any]:
        n = next(self._seq)
        if path in ("/cgi-bin/token", "/cgi-bin/gettoken"):
            token = f"TOKEN-{n}"
            self._tokens.add(token)
            return {"access_token": token, "expires_in": self.token_ttl, "errcode": 0}
        if path == "/cgi-bin/user/info":
            return {"subscribe": 1, "openid": query.get("openid", ""), "nickname": "顾客"}
        if path == "/cgi-bin/externalcontact/add_corp_tag":
            body = self._calls[-1].json or {}
            group = body.get("group_id") or f"grp{n}"
            tags = [{"id": f"tag-{t['name']}", "name": t["name"]} for t in body.get("tag") or []]
            return {"errcode": 0, "errmsg": "ok", "tag_group": {"group_id": group, "tag": tags}}
        if path == "/cgi-bin/externalcontact/add_msg_template":
            return {"errcode": 0, "errmsg": "ok", "fail_list": [], "msgid": f"msg{n}"}
        return {"errcode": 0, "errmsg": "ok", "msgid": n}

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body: Any = None
        raw = await request.read()
        if raw:
            try:
                body = await request.json()
            except ValueError:
                body = raw.decode("utf-8", "replace")
        path = request.path
        query = dict(request.query)
        self._calls.append(Call(request.method, path, query, body))
        answer: Any = None
        while self._scripts[path]:
            answer = self._scripts[path].popleft()
            if isinstance(answer, dict) and "delay" in answer:
                await asyncio.sleep(float(answer["delay"]))
                answer = None
                continue
            break
        if answer is None and path not in NO_TOKEN_PATHS:
            token = query.get("access_token", "")
            if token in self._expired:
                answer = 42001
            elif token not in self._tokens:
                answer = 40001
        if answer == "drop":
            if request.transport is not None:
                request.transport.abort()
            return web.Response()
        if isinstance(answer, int) and 500 <= answer < 600:
            return web.Response(status=answer, text="server error")
        if isinstance(answer, int):
            return web.json_response({"errcode": answer, "errmsg": f"fake error {answer}"})
        if isinstance(answer, dict):
            return web.json_response(answer)
        return web.json_response(self._default(path, query))

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"

    async def __aenter__(self) -> FakeWeChat:
        if not self.threaded:
            await self._start()
            return self
        ready = threading.Event()

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            self._loop.run_until_complete(self._start())
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="fake-wechat", daemon=True)
        self._thread.start()
        await asyncio.to_thread(ready.wait, 10)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if not self.threaded:
            if self._runner is not None:
                await self._runner.cleanup()
            return
        assert self._loop is not None and self._runner is not None
        fut = asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop)
        await asyncio.wrap_future(fut)
        self._loop.call_soon_threadsafe(self._loop.stop)
        await asyncio.to_thread(self._thread.join, 5)  # type: ignore[union-attr]
