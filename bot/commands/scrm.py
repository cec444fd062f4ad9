"""``wxbot tags|segment|campaign|staff``: the guide's customer book from the command line."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click

from bot.bootstrap import services_or_exit

T = TypeVar("T")


def _run(fn: Callable[[Any], Awaitable[T]]) -> T:
    async def go() -> T:
        services = services_or_exit()
        try:
            return await fn(services)
        finally:
            await services.close()

    return asyncio.run(go())


def _fail(message: str, code: int = 2) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


# -- tags ---------------------------------------------------------------------------------


@click.group()
def tags() -> None:
    """Customer tags: automatic (config.yaml scrm.tags) and manual."""


@tags.command("recompute")
@click.option("--no-sync", is_flag=True, help="Do not queue the WeCom tag sync.")
def tags_recompute(no_sync: bool) -> None:
    """Recompute every automatic tag; prints each tag and how many customers hold it."""
    from bot.scrm.settings import ScrmConfigError
    from bot.scrm.tags import recompute

    try:
        result = _run(lambda s: recompute(s, sync=not no_sync))
    except ScrmConfigError as exc:
        _fail(str(exc))
    for name, n in result.counts.items():
        click.echo(f"{name}\t{n}")
    click.echo(
        f"+{result.added} −{result.removed}, {result.queued_syncs} WeCom tag syncs queued",
        err=True,
    )


@tags.command("show")
@click.argument("who")
def tags_show(who: str) -> None:
    """A customer's tags, by phone or openid / external_userid."""
    from storage.repos import tags as repo

    async def go(services):
        async with services.db.session() as s:
            c = await repo.find_customer(s, who.strip())
            if c is None:
                return None
            return c, await repo.for_customer(s, c.id)

    found = _run(go)
    if found is None:
        _fail(f"no customer with phone or openid {who!r}", 1)
    c, held = found
    click.echo(f"{c.name or '未留名'} {c.phone or ''}".rstrip())
    if not held:
        click.echo("（暂无标签）")
    for name, kind in held:
        click.echo(f"{name}\t{'自动' if kind == 'auto' else '手动'}")


# -- segments -----------------------------------------------------------------------------


def _segment(fn):
    """Run ``fn(services)``; a bad expression is one clear line and exit 2."""
    from bot.scrm.segments import SegmentError

    try:
        return _run(fn)
    except SegmentError as exc:
        _fail(f"bad segment: {exc}")


@click.group()
def segment() -> None:
    """Segments: customers chosen by tags, store, guide, category, age, last contact."""


@segment.command("count")
@click.argument("expr", nargs=-1, required=True)
def segment_count(expr: tuple[str, ...]) -> None:
    """How many customers match EXPR (one integer), e.g. tag:空调8年以上 store:S001"""
    from bot.scrm import segments

    click.echo(_segment(lambda s: segments.count(s, " ".join(expr))))


@segment.command("show")
@click.argument("expr", nargs=-1, required=True)
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10000))
def segment_show(expr: tuple[str, ...], limit: int) -> None:
    """The customers matching EXPR: id, name, phone, store, guide (tab-separated)."""
    from bot.scrm import segments

    total, rows = _segment(lambda s: segments.show(s, " ".join(expr), limit))
    click.echo("id\tname\tphone\tstore\tguide")
    for cid, name, phone, store, guide in rows:
        click.echo(f"{cid}\t{name or ''}\t{phone or ''}\t{store or ''}\t{guide or ''}")
    click.echo(
        f"{total} customers" + (f" ({len(rows)} shown)" if total > len(rows) else ""), err=True
    )


@segment.command("save")
@click.argument("name")
@click.argument("expr", nargs=-1, required=True)
def segment_save(name: str, expr: tuple[str, ...]) -> None:
    """Save EXPR under NAME (use it as segment:NAME); prints its size now."""
    from bot.scrm import segments
    from storage.repos import segments as repo

    text = " ".join(expr)

    async def go(services):
        n = await segments.count(services, text)
        async with services.db.transaction() as s:
            await repo.save(s, name, text)
        return n

    n = _segment(go)
    click.echo(f"segment {name!r} saved: {n} customers now")


@segment.command("list")
def segment_list() -> None:
    """Saved segments with their size now: name, count, expression."""
    from bot.scrm import segments
    from storage.repos import segments as repo

    async def go(services):
        async with services.db.session() as s:
            saved = await repo.all_saved(s)
        return [(g.name, await segments.count(services, g.expr), g.expr) for g in saved]

    for name, n, text in _segment(go):
        click.echo(f"{name}\t{n}\t{text}")


# -- campaigns ----------------------------------------------------------------------------


def _campaign(fn):
    from bot.scrm.campaigns import CampaignError
    from bot.scrm.segments import SegmentError

    try:
        return _run(fn)
    except SegmentError as exc:
        _fail(f"bad segment: {exc}")
    except CampaignError as exc:
        _fail(str(exc))


@click.group()
def campaign() -> None:
    """Campaigns: one message to a segment, through the respectful outbox."""


@campaign.command("create")
@click.option("--name", required=True)
@click.option("--segment", "segment_expr", required=True, help="e.g. 'tag:空调8年以上 store:S001'")
@click.option("--text", required=True, help="The message.")
@click.option(
    "--at", default=None, help="When to send (ISO 8601, local time); else run it by hand."
)
@click.option("--card-title", default=None, help="A news card (图文): its title.")
@click.option("--card-url", default=None, help="The news card's link (https://…).")
@click.option("--card-desc", default=None, help="The news card's summary line.")
@click.option("--card-pic", default=None, help="The news card's picture (https://…).")
def campaign_create(
    name: str,
    segment_expr: str,
    text: str,
    at: str | None,
    card_title: str | None,
    card_url: str | None,
    card_desc: str | None,
    card_pic: str | None,
) -> None:
    """Create a campaign (a text, or a news card with --card-title and --card-url); prints
    its id."""
    from bot.scrm import campaigns

    try:
        card = campaigns.news_card(card_title, card_url, card_desc, card_pic)
    except campaigns.CampaignError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(
        _campaign(
            lambda s: campaigns.create(
                s, name=name, segment=segment_expr, text=text, at=at, card=card
            )
        )
    )


@campaign.command("run")
@click.argument("campaign_id", type=int)
def campaign_run(campaign_id: int) -> None:
    """Queue a campaign now: {"queued", "by_channel", "skipped": {reason: n}} as JSON."""
    import json

    from bot.scrm import campaigns

    click.echo(json.dumps(_campaign(lambda s: campaigns.run(s, campaign_id)), ensure_ascii=False))


@campaign.command("report")
@click.argument("campaign_id", type=int)
def campaign_report(campaign_id: int) -> None:
    """A campaign's results as JSON: targets, sends by status, skipped, replies in 7 days."""
    import json

    from bot.scrm import campaigns

    click.echo(
        json.dumps(_campaign(lambda s: campaigns.report(s, campaign_id)), ensure_ascii=False)
    )


# -- staff hand-over ----------------------------------------------------------------------


@click.group()
def staff() -> None:
    """Staff who leave or move: hand their customers to a colleague of the same store."""


def _hand_over(userid: str, to: str, mode: str) -> None:
    import json

    from bot.scrm.handover import HandoverError, hand_over

    try:
        result = _run(lambda s: hand_over(s, userid, to, mode))
    except HandoverError as exc:
        _fail(str(exc))
    click.echo(json.dumps(result, ensure_ascii=False))


@staff.command("leave")
@click.argument("userid")
@click.option("--to", "to", required=True, help="The colleague (WeCom userid) who takes over.")
def staff_leave(userid: str, to: str) -> None:
    """USERID resigned: deactivate them; customers, open tasks, leads and WeCom contacts
    (resigned transfer) go to the colleague."""
    _hand_over(userid, to, "leave")


@staff.command("transfer")
@click.argument("userid")
@click.option("--to", "to", required=True, help="The colleague (WeCom userid) who takes over.")
def staff_transfer(userid: str, to: str) -> None:
    """USERID stays employed (moves on): customers, open tasks, leads and WeCom contacts
    (on-job transfer, customers are told) go to the colleague."""
    _hand_over(userid, to, "transfer")


COMMANDS: list[click.Command] = [tags, segment, campaign, staff]
