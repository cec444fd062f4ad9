"""``wxbot admin``: the admin console's credentials."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from bot import vocabulary


@click.group()
def admin() -> None:
    """The admin console (/admin)."""


@admin.command("hash-password")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of stdin instead of prompting.",
)
def hash_password_cmd(password_stdin: bool) -> None:
    """Print a password hash for WXBOT_ADMIN_PASSWORD_HASH."""
    from bot.web.passwords import hash_password

    click.echo(hash_password(_read_password(password_stdin, "新密码")))
    click.echo(
        "把上面这一行设为环境变量 WXBOT_ADMIN_PASSWORD_HASH（用户名默认 admin，"
        "可用 WXBOT_ADMIN_USER 修改），然后重启 wxbot serve。",
        err=True,
    )


def _read_password(password_stdin: bool, prompt: str = "密码") -> str:
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(prompt, hide_input=True, confirmation_prompt="再输一次")
    if len(password) < 8:
        raise click.UsageError("密码至少 8 位")
    return password


ROLE_LABELS = vocabulary.ADMIN_ROLES


@admin.command("add")
@click.argument("username")
@click.option(
    "--role",
    type=click.Choice(["chain_admin", "store_manager"]),
    default="store_manager",
    show_default=True,
    help="chain_admin sees every store; store_manager only --store's.",
)
@click.option("--store", "store_code", help="The store's code (e.g. S001); for a store manager.")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin's first line.")
def add_cmd(username: str, role: str, store_code: str | None, password_stdin: bool) -> None:
    """Create an admin console account (a store manager sees only their store)."""
    import asyncio

    from bot.bootstrap import services_or_exit
    from bot.web.passwords import hash_password
    from storage.repos import admin_users

    username = username.strip()
    if not admin_users.username_ok(username):
        raise click.UsageError(admin_users.BAD_USERNAME)
    if role == "store_manager" and not store_code:
        raise click.UsageError("门店店长需要 --store 门店编号（例如 --store S001）")
    password_hash = hash_password(_read_password(password_stdin))

    async def run() -> None:
        services = services_or_exit()
        try:
            configured = (services.settings.admin or {}).get("username") or "admin"
            if username == configured:
                raise click.UsageError(f"{username} 是配置文件里的管理员，不能再建一个同名账号")
            async with services.db.transaction() as s:
                if await admin_users.by_username(s, username) is not None:
                    raise click.UsageError(f"账号 {username} 已经存在")
                store_id = None
                if store_code:
                    store = await admin_users.store_by_code(s, store_code)
                    if store is None:
                        raise click.UsageError(f"没有编号为 {store_code} 的门店")
                    store_id = store.id
                await admin_users.add(
                    s,
                    username=username,
                    password_hash=password_hash,
                    role=role,
                    store_id=store_id if role == "store_manager" else None,
                )
        finally:
            await services.close()
        where = f"（{store_code}）" if role == "store_manager" else ""
        click.echo(f"已创建 {ROLE_LABELS[role]}{where} 账号：{username}")

    asyncio.run(run())


@admin.command("list")
def list_cmd() -> None:
    """The admin console's accounts: user name, role, store, active."""
    import asyncio

    from bot.bootstrap import services_or_exit
    from storage.repos import admin_users

    async def run() -> None:
        services = services_or_exit()
        try:
            configured = (services.settings.admin or {}).get("username") or "admin"
            click.echo(f"{configured}\t总部管理员\t全部门店\t配置文件")
            async with services.db.session() as s:
                for user, store in await admin_users.listing(s):
                    where = f"{store.code} {store.name}" if store is not None else "全部门店"
                    state = "启用" if user.active else "已停用"
                    click.echo(
                        f"{user.username}\t{ROLE_LABELS.get(user.role, '其他')}\t{where}\t{state}"
                    )
        finally:
            await services.close()

    asyncio.run(run())


@admin.command("disable")
@click.argument("username")
def disable_cmd(username: str) -> None:
    """Stop an account signing in; its open sessions end at their next request."""

    def deactivate(user: Any) -> None:
        user.active = False

    _change_account(username, deactivate, f"没有账号 {username}")
    click.echo(f"已停用 {username}，TA 的登录都已结束")


@admin.command("passwd")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin's first line.")
def passwd_cmd(username: str, password_stdin: bool) -> None:
    """Set a new password for a database account; its open sessions end."""
    from bot.web.passwords import hash_password

    password_hash = hash_password(_read_password(password_stdin))

    def set_password(user: Any) -> None:
        user.password_hash = password_hash

    ended = _change_account(
        username,
        set_password,
        f"没有账号 {username}（配置文件里的管理员用 wxbot admin hash-password）",
    )
    click.echo(f"已为 {username} 设置新密码，结束了 {ended} 个登录")


def _change_account(username: str, change: Callable[[Any], None], missing: str) -> int:
    """Apply ``change`` to the database account ``username`` and end its open sessions
    (database or Redis store); how many ended. ``missing``: the error when there is none."""
    import asyncio

    from bot.bootstrap import services_or_exit
    from bot.web.sessions import make_store
    from storage.repos import admin_users

    async def run() -> int:
        services = services_or_exit()
        try:
            async with services.db.transaction() as s:
                user = await admin_users.by_username(s, username)
                if user is None:
                    raise click.UsageError(missing)
                change(user)
            return await make_store(services).end_user(username)
        finally:
            await services.close()

    return asyncio.run(run())


COMMANDS = [admin]
