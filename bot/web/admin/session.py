"""Login, logout, and the middleware that guards /admin (session, CSRF, headers)."""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import quote

from aiohttp import web

from bot.app import services_of
from bot.web.auth import COOKIE, LOGIN_COOKIE, AdminAuth, same
from bot.web.common import ADMIN
from bot.web.passwords import verify_password
from bot.web.render import page

log = logging.getLogger(__name__)
AUTH = web.AppKey("admin_auth", AdminAuth)
PUBLIC = {"/admin/login"}
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
}


def _is_admin_path(path: str) -> bool:
    return path == "/admin" or path.startswith("/admin/")


def _client_ip(request: web.Request) -> str:
    return request.remote or "?"


def _safe_next(value: str | None) -> str:
    if value and value.startswith("/admin") and not value.startswith("//"):
        return value
    return "/admin"


async def _csrf_ok(request: web.Request, expected: str) -> bool:
    given = request.headers.get("X-CSRF-Token")
    if given is None:
        form = await request.post()
        given = form.get("csrf")
    return isinstance(given, str) and same(given, expected)


@web.middleware
async def guard(request: web.Request, handler):
    if not _is_admin_path(request.path):
        return await handler(request)
    auth = request.app[AUTH]
    now = services_of(request).clock.now()
    if request.path not in PUBLIC:
        data = auth.unseal("session", request.cookies.get(COOKIE), now)
        if data is None:
            target = "/admin/login?next=" + quote(
                request.path_qs if request.method == "GET" else "/admin"
            )
            raise web.HTTPSeeOther(target, headers=SECURITY_HEADERS)
        request[ADMIN] = {"user": data["u"], "csrf": data["csrf"]}
        if request.method == "POST" and not await _csrf_ok(request, data["csrf"]):
            log.warning("admin: POST %s refused (CSRF token missing or wrong)", request.path)
            raise web.HTTPForbidden(
                text="CSRF 校验失败，请刷新页面后重试。", headers=SECURITY_HEADERS
            )
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        exc.headers.update(SECURITY_HEADERS)
        raise
    response.headers.update(SECURITY_HEADERS)
    return response


def _login_page(
    request: web.Request, *, error: str | None = None, status: int = 200, user: str = ""
):
    auth = request.app[AUTH]
    token = auth.login_token(services_of(request).clock.now())
    response = page(
        request,
        "admin/login.html",
        {
            "error": error,
            "csrf": token,
            "demo_password": auth.demo_password,
            "can_login": auth.password_hash is not None,
            "next": _safe_next(request.query.get("next")),
            "user": user or auth.username,
        },
        status=status,
    )
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        httponly=True,
        samesite="Strict",
        secure=auth.secure_cookie,
        path="/admin/login",
    )
    return response


async def login_form(request: web.Request) -> web.Response:
    return _login_page(request)


async def login(request: web.Request) -> web.Response:
    auth = request.app[AUTH]
    now = services_of(request).clock.now()
    form = await request.post()
    token = request.cookies.get(LOGIN_COOKIE)
    given = form.get("csrf")
    if (
        auth.unseal("login", token, now) is None
        or not isinstance(given, str)
        or not same(given, token or "")
    ):
        return _login_page(request, error="页面已过期，请重新输入。", status=403)
    user = str(form.get("username") or "").strip()
    password = str(form.get("password") or "")
    ip = _client_ip(request)
    if auth.locked(ip, user, now):
        log.warning("admin: login refused, locked out (user %r)", user[:32])
        return _login_page(request, error="尝试次数过多，请 15 分钟后再试。", status=429, user=user)
    ok = (
        auth.password_hash is not None
        and same(user, auth.username)
        and await asyncio.to_thread(verify_password, password, auth.password_hash)
    )
    if not ok:
        auth.failed(ip, user, now)
        log.info("admin: failed login (user %r)", user[:32])
        if auth.locked(ip, user, now):
            return _login_page(
                request, error="尝试次数过多，请 15 分钟后再试。", status=429, user=user
            )
        return _login_page(request, error="用户名或密码不对。", status=401, user=user)
    auth.succeeded(ip, user)
    cookie, _csrf = auth.new_session(user, now)
    response = _redirect(_safe_next(str(form.get("next") or "")))
    response.set_cookie(
        COOKIE,
        cookie,
        httponly=True,
        samesite="Strict",
        secure=auth.secure_cookie,
        path="/admin",
        max_age=int(auth.session_ttl.total_seconds()),
    )
    response.del_cookie(LOGIN_COOKIE, path="/admin/login")
    log.info("admin: %s logged in", user[:32])
    return response


async def logout(request: web.Request) -> web.Response:
    response = _redirect("/admin/login")
    response.del_cookie(COOKIE, path="/admin")
    return response


def _redirect(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})
