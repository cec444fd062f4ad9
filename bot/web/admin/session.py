"""Login, logout, and the middleware that guards /admin (session, CSRF, headers)."""

from __future__ import annotations

import logging
import secrets
from urllib.parse import quote

from aiohttp import web

from bot.app import services_of
from bot.web import sessions
from bot.web.auth import COOKIE, LOGIN_COOKIE, AdminAuth, same
from bot.web.client_ip import client_ip
from bot.web.common import ADMIN, store_scope
from bot.web.render import page

log = logging.getLogger(__name__)
AUTH = web.AppKey("admin_auth", AdminAuth)
STORE = web.AppKey("admin_sessions", object)
PUBLIC = {"/admin/login"}
# The session cookie goes to the whole site: the sandbox playground (bot/web/playground.py)
# lets a signed-in admin in from another machine. HttpOnly, SameSite=Strict.
COOKIE_PATH = "/"
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
    now = services_of(request).clock.now()
    if request.path not in PUBLIC:
        active = await _signed_in(request, now)
        if active is None:
            target = "/admin/login?next=" + quote(
                request.path_qs if request.method == "GET" else "/admin"
            )
            raise web.HTTPSeeOther(target, headers=SECURITY_HEADERS)
        account = await request.app[AUTH].account(services_of(request), active.user)
        if account is None:  # disabled (or removed) since signing in
            await request.app[STORE].end(active.id)
            raise web.HTTPSeeOther("/admin/login", headers=SECURITY_HEADERS)
        request[ADMIN] = {
            "user": active.user,
            "csrf": active.csrf,
            "session": active.id,
            "account": account,
            "scope": account.scope,
        }
        if request.method == "POST" and not await _csrf_ok(request, active.csrf):
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


async def signed_in(request: web.Request) -> bool:
    """Whether the request carries a live admin session (for pages outside /admin)."""
    if request.app.get(STORE) is None:
        return False
    return await _signed_in(request, services_of(request).clock.now()) is not None


async def _signed_in(request: web.Request, now) -> sessions.Active | None:
    """The live server-side session named by the cookie, if any (last seen kept fresh)."""
    token = request.cookies.get(COOKIE)
    if not token or len(token) > sessions.MAX_TOKEN_CHARS:
        return None
    store = request.app[STORE]
    active = await store.find(sessions.token_hash(token), request.app[AUTH].password_tag, now)
    if active is not None and now - active.last_seen >= sessions.TOUCH_EVERY:
        await store.touch(active, now)
        active.last_seen = now
    return active


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
    ip = client_ip(request)
    if auth.locked(ip, user, now):
        log.warning("admin: login refused, locked out (user %r, from %s)", user[:32], ip[:64])
        return _login_page(
            request, error="尝试次数过多，请 15 分钟后再试。", status=429, user=user[:64]
        )
    ok = await auth.sign_in(services_of(request), user, password)
    if ok is None:
        if auth.busy_refusals % 100 == 0:  # one line per hundred, not one per attempt
            log.warning("admin: login refused, too many password checks under way")
        auth.busy_refusals += 1
        return _login_page(request, error="登录的人太多，请稍后再试。", status=503, user=user[:64])
    if not ok:
        auth.failed(ip, user, now)
        log.info("admin: failed login (user %r, from %s)", user[:32], ip[:64])
        if auth.locked(ip, user, now):
            return _login_page(
                request, error="尝试次数过多，请 15 分钟后再试。", status=429, user=user[:64]
            )
        return _login_page(request, error="用户名或密码不对。", status=401, user=user[:64])
    auth.succeeded(ip, user)
    token = sessions.new_token()
    active = sessions.Active(
        id=sessions.new_id(),
        user=user,
        ip=ip[:64],
        csrf=secrets.token_urlsafe(24),
        since=now,
        last_seen=now,
        expires_at=now + auth.session_ttl,
    )
    await request.app[STORE].open(active, sessions.token_hash(token), auth.password_tag)
    response = _redirect(_safe_next(str(form.get("next") or "")))
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="Strict",
        secure=auth.secure_cookie,
        path=COOKIE_PATH,
        max_age=int(auth.session_ttl.total_seconds()),
    )
    response.del_cookie(LOGIN_COOKIE, path="/admin/login")
    log.info("admin: %s logged in from %s", user[:32], ip[:64])
    return response


async def logout(request: web.Request) -> web.Response:
    await request.app[STORE].end(request[ADMIN]["session"])
    log.info("admin: %s logged out", request[ADMIN]["user"])
    response = _redirect("/admin/login")
    response.del_cookie(COOKIE, path=COOKIE_PATH)
    return response


async def end_session(request: web.Request) -> web.Response:
    """End another (or this) signed-in session from the console's list (a store manager:
    their own only)."""
    if store_scope(request) is not None:
        now = services_of(request).clock.now()
        mine = {
            a.id
            for a in await request.app[STORE].listing(request.app[AUTH].password_tag, now)
            if a.user == request[ADMIN]["user"]
        }
        if request.match_info["sid"] not in mine:
            raise web.HTTPNotFound(text="没有这个登录")
    ended = await request.app[STORE].end(request.match_info["sid"])
    if ended:
        log.info("admin: session %s ended by %s", request.match_info["sid"], request[ADMIN]["user"])
    if request.match_info["sid"] == request[ADMIN]["session"]:
        response = _redirect("/admin/login")
        response.del_cookie(COOKIE, path=COOKIE_PATH)
        return response
    return _redirect("/admin?notice=" + ("session-ended" if ended else "session-gone"))


def _redirect(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})
