"""``wxbot admin``: the admin console's credentials."""

from __future__ import annotations

import sys

import click


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

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("新密码", hide_input=True, confirmation_prompt="再输一次")
    if len(password) < 8:
        raise click.UsageError("密码至少 8 位")
    click.echo(hash_password(password))
    click.echo(
        "把上面这一行设为环境变量 WXBOT_ADMIN_PASSWORD_HASH（用户名默认 admin，"
        "可用 WXBOT_ADMIN_USER 修改），然后重启 wxbot serve。",
        err=True,
    )


COMMANDS = [admin]
