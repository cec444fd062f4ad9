"""``wxbot mp menu show|push``: the Official Account's custom menu from config (mp.menu)."""

from __future__ import annotations

import asyncio
import json

import click

from bot.bootstrap import services_or_exit


@click.group()
def mp() -> None:
    """The Official Account (服务号)."""


@mp.group()
def menu() -> None:
    """The custom menu (mp.menu in config.yaml)."""


def _menu_or_exit(settings) -> dict:
    from bot.channels.mp_menu import MenuError, menu_json

    try:
        return menu_json(settings)
    except MenuError as exc:
        raise click.ClickException(f"mp.menu: {exc}") from None


@menu.command("show")
def menu_show() -> None:
    """Print the menu JSON that `push` would send."""
    from bot.bootstrap import settings_or_exit

    body = _menu_or_exit(settings_or_exit())
    click.echo(json.dumps(body, ensure_ascii=False, indent=2))


@menu.command("push")
def menu_push() -> None:
    """Create the menu on WeChat (in sandbox mode: recorded in the outbox as sent)."""
    services = services_or_exit()
    body = _menu_or_exit(services.settings)
    click.echo(asyncio.run(_push(services, body)))


async def _push(services, body: dict) -> str:
    try:
        if services.settings.sandbox:
            return await _record_in_sandbox(services, body)
        from bot.wechat.errors import WeChatError
        from bot.wechat.mp_api import MpApi

        try:
            await MpApi.of(services).create_menu(body)
        except WeChatError as exc:
            raise click.ClickException(f"WeChat refused the menu: {exc}") from None
        count = len(body["button"])
        return f"menu pushed to {services.settings.mp.app_id} ({count} top-level buttons)"
    finally:
        await services.close()


async def _record_in_sandbox(services, body: dict) -> str:
    """Sandbox: nothing leaves the machine; the call is an outbox row marked sent (sandbox)."""
    from storage.repos import outbox as outbox_repo

    now = services.clock.now()
    async with services.db.transaction() as session:
        row = await outbox_repo.enqueue(
            session,
            channel="mp_api",
            recipient=services.settings.mp.app_id,
            text="menu/create",
            kind="notice",
            payload={"api": "menu/create", "menu": body},
        )
        await outbox_repo.claim(session, now, limit=1, lease_s=60, ids=[row.id])
        await outbox_repo.mark_all_sent_sandbox(session, [row.id], now)
    return (
        f"sandbox mode: menu not sent to WeChat; recorded in the outbox as sent (row {row.id}). "
        "Set sandbox: false with the real mp credentials to push it."
    )


COMMANDS = [mp]
