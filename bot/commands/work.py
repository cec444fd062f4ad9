"""``wxbot work``: the guides' morning digest, community groups, and a staff command line."""

from __future__ import annotations

import asyncio
import json
from datetime import date

import click

from bot.bootstrap import day_option, services_or_exit


def _mask(key: str) -> str:
    return key[:4] + "…" + key[-2:] if len(key) > 8 else "****"


@click.group()
def work() -> None:
    """WeCom: guides' digest, community groups."""


@work.command("digest")
@click.option("--on", "day", default=None, callback=day_option, help="The day (default: today).")
@click.option("--dry-run", is_flag=True, help="Print the digests; queue nothing.")
def digest(day: date | None, dry_run: bool) -> None:
    """Each guide's digest, one JSON object per line: {"guide", "name", "queued", "text"}."""
    from bot.work.digest import send_digests

    async def run():
        services = services_or_exit()
        try:
            return await send_digests(
                services, day or services.clock.local_now().date(), dry_run=dry_run
            )
        finally:
            await services.close()

    for d in asyncio.run(run()):
        row = {"guide": d.userid, "name": d.name, "queued": d.row_id is not None, "text": d.text}
        click.echo(json.dumps(row, ensure_ascii=False))


@work.command("say")
@click.option("--user", "userid", required=True, help="The staff member's WeCom userid.")
@click.argument("text")
def say(userid: str, text: str) -> None:
    """Run one app command as a staff member, e.g. wxbot work say --user G001 任务"""
    from bot.work.router import run_command
    from bot.work.staff import who

    async def run() -> str | None:
        services = services_or_exit()
        try:
            staff = await who(services, userid)
            if staff is None:
                return None
            return (await run_command(services, staff, text)).text
        finally:
            await services.close()

    answer = asyncio.run(run())
    if answer is None:
        raise click.ClickException(
            f"no active staff member with WeCom userid {userid!r} "
            "(没查到员工信息: register it in staff.wecom_userid)"
        )
    click.echo(answer)


@work.group("groups")
def groups() -> None:
    """Community groups and their robots."""


@groups.command("list")
def groups_list() -> None:
    """Groups (config.yaml ``groups:`` synced first), one JSON object per line."""
    from bot.work.groups import sync_groups
    from storage.repos import groups as repo

    async def run():
        services = services_or_exit()
        try:
            await sync_groups(services)
            async with services.db.session() as s:
                return await repo.all_groups(s)
        finally:
            await services.close()

    for g, store in asyncio.run(run()):
        click.echo(
            json.dumps(
                {"name": g.name, "store": store, "robot": _mask(g.robot_key)}, ensure_ascii=False
            )
        )


@groups.command("sync")
def groups_sync() -> None:
    """Read the customer group chats from WeCom (names, owners, members, joins, leaves)."""
    from bot.work.group_chats import sync

    async def run() -> dict:
        services = services_or_exit()
        try:
            return await sync(services)
        finally:
            await services.close()

    result = asyncio.run(run())
    if result.get("skipped") == "sandbox":
        click.echo("沙箱模式：不连企业微信，没有可同步的客户群。")
        return
    click.echo(json.dumps(result, ensure_ascii=False))


@groups.command("welcome")
def groups_welcome() -> None:
    """Send each store's 入群欢迎语 (config scrm.group_welcome) to WeCom as a group welcome
    template (through the outbox; recorded only in sandbox mode)."""
    from bot.work.group_chats import queue_welcome_templates

    async def run() -> int:
        services = services_or_exit()
        try:
            return await queue_welcome_templates(services)
        finally:
            await services.close()

    n = asyncio.run(run())
    click.echo(f"已排队 {n} 个门店的入群欢迎语（没有变化的不重发）")


@groups.command("plan")
@click.option("--on", "day", default=None, callback=day_option, help="The day (default: today).")
def groups_plan(day: date | None) -> None:
    """Queue the day's SOP posts and festival greetings for the groups."""
    from bot.work.groups import plan_posts
    from bot.work.jobs import festival_greetings

    async def run() -> dict:
        services = services_or_exit()
        try:
            d = day or services.clock.local_now().date()
            return {
                "day": d.isoformat(),
                "posts": await plan_posts(services, d),
                "greetings": await festival_greetings(services, d),
            }
        finally:
            await services.close()

    click.echo(json.dumps(asyncio.run(run()), ensure_ascii=False))


COMMANDS = [work]
