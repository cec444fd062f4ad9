"""Admin accounts, for chain admins: who may sign in, as what, for which store."""

from __future__ import annotations

import logging

from aiohttp import web
from sqlalchemy import select

from bot import vocabulary
from bot.web.admin.session import AUTH
from bot.web.common import ADMIN, services_of, store_scope
from bot.web.passwords import hash_password
from bot.web.render import page
from storage.models import Store
from storage.repos import admin_users

log = logging.getLogger(__name__)
ROLE_LABELS = vocabulary.ADMIN_ROLES


def _chain_admin_only(request: web.Request) -> None:
    if store_scope(request) is not None:
        raise web.HTTPForbidden(text="账号由总部管理员管理。")


async def index(request: web.Request) -> web.Response:
    _chain_admin_only(request)
    services = services_of(request)
    async with services.db.session() as s:
        users = await admin_users.listing(s)
        stores = list(await s.scalars(select(Store).order_by(Store.code)))
    return page(
        request,
        "admin/accounts.html",
        {
            "users": users,
            "stores": stores,
            "roles": ROLE_LABELS,
            "configured": request.app[AUTH].username,
            "notice": request.query.get("notice"),
            "problem": (request.query.get("problem") or "")[:100],
        },
    )


def _back(problem: str | None = None) -> web.Response:
    from urllib.parse import quote

    where = f"?problem={quote(problem)}" if problem else "?notice=created"
    return web.Response(status=303, headers={"Location": f"/admin/accounts{where}"})


async def create(request: web.Request) -> web.Response:
    _chain_admin_only(request)
    services = services_of(request)
    form = await request.post()
    username = str(form.get("username") or "").strip()
    password = str(form.get("password") or "")
    role = str(form.get("role") or "store_manager")
    store_code = str(form.get("store") or "")
    if not admin_users.username_ok(username):
        return _back(admin_users.BAD_USERNAME)
    if len(password) < 8:
        return _back("密码至少 8 位")
    if role not in ROLE_LABELS:
        return _back("请选择角色")
    if username == request[ADMIN]["account"].username:
        return _back("这个用户名已经在用")
    password_hash = hash_password(password)
    async with services.db.transaction() as s:
        if await admin_users.by_username(s, username) is not None:
            return _back(f"账号 {username} 已经存在")
        store = await admin_users.store_by_code(s, store_code) if store_code else None
        if role == "store_manager" and store is None:
            return _back("门店店长需要选一个门店")
        await admin_users.add(
            s,
            username=username,
            password_hash=password_hash,
            role=role,
            store_id=store.id if role == "store_manager" and store else None,
        )
    log.info("admin: account %s (%s) created by %s", username, role, request[ADMIN]["user"])
    return _back()
