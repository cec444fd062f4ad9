"""What the Official Account and WeCom clients share: shared tokens, one token refresh on
40001/42001/40014, typed errors, and the ways to call WeChat:

- ``call(fn)``: any wechatpy client method, run in a worker thread (never on the loop);
- ``send(fn)``: a message POST that wechatpy's API builds and aiohttp carries, for the hot
  path — ``fn(client)`` calls the wechatpy method (``c.message.send_text(openid, text)``);
  wechatpy decides the endpoint and the JSON body, and instead of sending it with requests
  hands them over (:class:`_Built`). wechatpy's requests in threads tops out near 300–400
  sends/s on two cores; aiohttp keeps the dispatcher above 500/s;
- ``post_json(path, body)``: a plain JSON POST with aiohttp (what ``send`` ends in)."""

from __future__ import annotations

import asyncio
import functools
import json
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import aiohttp
import requests
from wechatpy.exceptions import WeChatClientException

from bot.context import Services
from bot.wechat.errors import TOKEN_ERRCODES, Transient, WeChatError, from_errcode
from bot.wechat.tokens import TokenStore

T = TypeVar("T")
HTTP_TIMEOUT_S = 10
THREADS = 8  # wechatpy's blocking HTTP runs here, never on the event loop
SANDBOX_OK: dict[str, Any] = {"errcode": 0, "errmsg": "ok", "sandbox": True}


async def get_json(url: str, params: dict[str, Any]) -> dict:
    """GET a WeChat endpoint with aiohttp; network trouble and 5xx become :class:`Transient`."""
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=HTTP_TIMEOUT_S)) as http,
            http.get(url, params=params) as resp,
        ):
            if resp.status >= 500:
                raise Transient(None, f"HTTP {resp.status}")
            if resp.status >= 400:
                raise WeChatError(None, f"HTTP {resp.status}")
            return await resp.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise Transient(None, type(exc).__name__) from None


class _Built(Exception):
    """Raised by a building client in place of sending: what wechatpy would have sent."""

    def __init__(self, method: str, url: str, kwargs: dict[str, Any]) -> None:
        super().__init__(method, url)
        self.method, self.url, self.kwargs = method, url, kwargs


def _building(client_cls: Any) -> Any:
    """A subclass of a wechatpy client that builds requests and sends nothing."""

    class Building(client_cls):
        def _request(self, method, url_or_endpoint, **kwargs):  # wechatpy's one way out
            base = kwargs.pop("api_base_url", self.API_BASE_URL)
            absolute = url_or_endpoint.startswith(("http://", "https://"))
            raise _Built(method, url_or_endpoint if absolute else base + url_or_endpoint, kwargs)

    return Building


class BaseApi:
    """Subclasses set ``name``, ``client_cls``, and implement ``_token_request``."""

    name = "api"
    client_cls: Any = None

    def __init__(self, services: Services, base_url: str, appid: str, secret: str) -> None:
        self.services = services
        self.base_url = base_url.rstrip("/")
        self.appid = appid
        self.secret = secret
        self.tokens = TokenStore(services, f"{self.name}:{appid}", self._fetch_token)
        self._local = threading.local()
        self._pool: ThreadPoolExecutor | None = None
        self._http: aiohttp.ClientSession | None = None
        self._keeper: asyncio.Task | None = None

    @property
    def sandbox(self) -> bool:
        return self.services.settings.sandbox

    def _token_request(self) -> tuple[str, dict[str, Any]]:
        raise NotImplementedError

    async def _fetch_token(self) -> tuple[str, int]:
        path, params = self._token_request()
        data = await get_json(self.base_url + path, params)
        if data.get("errcode"):
            err = from_errcode(int(data["errcode"]), str(data.get("errmsg", "")))
            raise err if err.retryable else type(err)(err.errcode, f"token: {err.errmsg}")
        return str(data.get("access_token") or ""), int(data.get("expires_in") or 7200)

    def _client(self, token: str) -> Any:
        client = getattr(self._local, "client", None)
        if client is None:
            client = self.client_cls(
                self.appid,
                self.secret,
                access_token=token,
                timeout=HTTP_TIMEOUT_S,
                auto_retry=False,
            )
            client.API_BASE_URL = self.base_url + "/cgi-bin/"  # wechatpy reads it per request
            self._local.client = client
        client.session.set(client.access_token_key, token)
        return client

    def _run(self, fn: Callable[[Any], T], token: str) -> T:
        try:
            return fn(self._client(token))
        except WeChatClientException as exc:
            if exc.errcode is None:
                status = getattr(exc.response, "status_code", None)
                if status is None or status >= 500:
                    raise Transient(None, f"HTTP {status}") from None
                raise WeChatError(None, f"HTTP {status}") from None
            raise from_errcode(int(exc.errcode), str(exc.errmsg)) from None
        except requests.RequestException as exc:
            raise Transient(None, type(exc).__name__) from None

    async def call(self, fn: Callable[[Any], T], *, sandbox_answer: Any = None) -> T:
        """Run ``fn(client)`` in a worker thread with a valid token. In sandbox mode nothing
        leaves the machine: ``sandbox_answer`` (or a plain ok) comes back instead."""
        if self.sandbox:
            return sandbox_answer if sandbox_answer is not None else dict(SANDBOX_OK)  # type: ignore[return-value]
        loop = asyncio.get_running_loop()
        pool = self._executor()
        token = await self.tokens.get()
        try:
            return await loop.run_in_executor(pool, functools.partial(self._run, fn, token))
        except WeChatError as exc:
            if exc.errcode not in TOKEN_ERRCODES:
                raise
        await self.tokens.invalidate(token)
        token = await self.tokens.get()
        return await loop.run_in_executor(pool, functools.partial(self._run, fn, token))

    def _ensure_keeper(self) -> None:
        """A background task owns the HTTP session and the thread pool: services.close()
        cancels background tasks, and the keeper closes both on its way out."""
        if self._keeper is not None and not self._keeper.done():
            return

        async def keeper() -> None:
            try:
                await asyncio.Event().wait()
            finally:
                if self._http is not None:
                    await self._http.close()
                    self._http = None
                if self._pool is not None:
                    self._pool.shutdown(wait=False)
                    self._pool = None

        self._keeper = self.services.spawn(keeper())

    def _executor(self) -> ThreadPoolExecutor:
        self._ensure_keeper()
        if self._pool is None:
            self._pool = ThreadPoolExecutor(THREADS, thread_name_prefix=f"wechat-{self.name}")
        return self._pool

    def _session(self) -> aiohttp.ClientSession:
        """One keep-alive session per API (closed with the services)."""
        self._ensure_keeper()
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=HTTP_TIMEOUT_S),
                connector=aiohttp.TCPConnector(limit=64),
            )
        return self._http

    async def _post_once(self, path: str, body: dict[str, Any], token: str) -> dict:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        try:
            async with self._session().post(
                self.base_url + path,
                params={"access_token": token},
                data=data,
                headers={"Content-Type": "application/json; charset=utf-8"},
            ) as resp:
                if resp.status >= 500:
                    raise Transient(None, f"HTTP {resp.status}")
                if resp.status >= 400:
                    raise WeChatError(None, f"HTTP {resp.status}")
                result = await resp.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise Transient(None, type(exc).__name__) from None
        code = int(result.get("errcode") or 0) if isinstance(result, dict) else 0
        if code:
            raise from_errcode(code, str(result.get("errmsg", "")))
        return result

    def built_by_wechatpy(self, fn: Callable[[Any], Any]) -> tuple[str, dict[str, Any]]:
        """The path and JSON body of the POST that ``fn(client)`` makes wechatpy send."""
        builder = getattr(self, "_builder", None)
        if builder is None:
            builder = self._builder = _building(self.client_cls)(
                self.appid, self.secret, access_token="-"
            )
            builder.API_BASE_URL = self.base_url + "/cgi-bin/"
        try:
            fn(builder)
        except _Built as built:
            body = built.kwargs.get("data")
            if built.method.lower() != "post" or not isinstance(body, dict):
                raise TypeError(f"not a JSON POST: {built.method} {built.url}") from None
            if built.kwargs.get("params"):
                raise TypeError(f"query parameters are not carried: {built.url}") from None
            return built.url.removeprefix(self.base_url), body
        raise TypeError("the wechatpy call made no request")

    async def send(self, fn: Callable[[Any], Any]) -> dict:
        """Send the POST that ``fn(client)`` builds with wechatpy, e.g.
        ``api.send(lambda c: c.message.send_text(openid, text))``, with aiohttp."""
        path, body = self.built_by_wechatpy(fn)
        return await self.post_json(path, body)

    async def post_json(self, path: str, body: dict[str, Any]) -> dict:
        """POST ``body`` to ``path`` (e.g. /cgi-bin/message/custom/send) with a valid token.
        Sandbox: nothing leaves the machine."""
        if self.sandbox:
            return dict(SANDBOX_OK)
        token = await self.tokens.get()
        try:
            return await self._post_once(path, body, token)
        except WeChatError as exc:
            if exc.errcode not in TOKEN_ERRCODES:
                raise
        await self.tokens.invalidate(token)
        return await self._post_once(path, body, await self.tokens.get())
