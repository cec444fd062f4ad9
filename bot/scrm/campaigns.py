"""Campaigns: one message to a segment, at a chosen time, through the same respectful
outbox as care — opt-outs (config ``scrm.campaigns.optout_kinds``), the weekly cap shared
with care messages, quiet hours (rows wait until they end), the 48-hour window with a
template (when configured) or the guide's task as fallbacks, and WeCom's 群发 for
customers who added a guide. Never twice to one customer for one campaign."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.care.quiet import QuietHours
from bot.care.settings import care_config
from bot.context import Services
from bot.scrm import segments
from bot.scrm.settings import campaign_config
from storage.repos import campaigns as repo
from storage.repos.care_sql import Sql

log = logging.getLogger(__name__)


class CampaignError(ValueError):
    """A campaign that cannot be created or run; the message says why."""


def parse_at(services: Services, value: str | None) -> datetime | None:
    """``--at``: ISO 8601; without an offset it is local time (config ``timezone``)."""
    if not value:
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise CampaignError(f"--at {value!r}: use ISO 8601, e.g. 2026-12-12T10:00") from None
    if at.tzinfo is None:
        at = at.replace(tzinfo=services.settings.tz)
    return at.astimezone(UTC)


def news_card(
    title: str | None, url: str | None, description: str | None = None, picurl: str | None = None
) -> dict[str, str] | None:
    """A news card (图文) from its parts; None when no title and no link are given."""
    title, url = (title or "").strip(), (url or "").strip()
    if not title and not url:
        return None
    if not title or not url:
        raise CampaignError("a news card needs both a title and a link")
    for value in (url, picurl or ""):
        if value and not value.startswith(("https://", "http://")):
            raise CampaignError(f"not a web link: {value[:60]!r}")
    card = {"title": title[:64], "url": url[:500], "description": (description or "").strip()[:120]}
    if picurl:
        card["picurl"] = picurl.strip()[:500]
    return card


async def create(
    services: Services,
    *,
    name: str,
    segment: str,
    text: str,
    at: str | None = None,
    link: dict[str, str] | None = None,
    card: dict[str, str] | None = None,
) -> int:
    """A campaign of ``text`` to ``segment``; with ``card`` (:func:`news_card`) it goes as a
    news card where the channel can show one (the Official Account's 图文 in the 48-hour
    window, WeCom's 群发 link), and as the text with the link elsewhere."""
    if not name.strip() or not text.strip():
        raise CampaignError("a campaign needs a name and a text")
    send_at = parse_at(services, at)
    if card and not link:  # WeCom's 群发 shows a card as a link attachment
        link = {
            "title": card["title"],
            "url": card["url"],
            "desc": card.get("description", ""),
            **({"picurl": card["picurl"]} if card.get("picurl") else {}),
        }
    async with services.db.transaction() as s:
        await segments.resolve(s, segment)  # a bad expression fails now, not at send time
        row = await repo.create(
            s,
            name=name.strip(),
            segment=segment,
            text=text.strip(),
            send_at=send_at,
            payload={**({"link": link} if link else {}), **({"card": card} if card else {})},
            now=services.clock.now(),
        )
        return row.id


def window(services: Services) -> repo.RunWindow:
    care = care_config(services.settings)
    cfg = campaign_config(services.settings)
    now = services.clock.now()
    quiet = QuietHours.from_config(care)
    not_before = quiet.defer(now.astimezone(services.settings.tz)).astimezone(UTC)
    template = cfg.get("template") or None
    if template and not services.settings.mp.template_ids.get(template):
        template = None  # named but not configured in mp.template_ids
    return repo.RunWindow(
        now=now,
        not_before=max(not_before, now),
        kf_since=now - timedelta(hours=float(care.get("kf_window_hours", 48))),
        week_start=now - timedelta(days=7),
        weekly_cap=int(care.get("weekly_cap", 2)),
        optout_kinds=tuple(cfg["optout_kinds"]),
        template=template,
    )


async def run(services: Services, campaign_id: int) -> dict[str, Any]:
    """Queue the campaign now for everyone in its segment not reached yet."""
    sql = Sql(services.db.engine.dialect.name)
    async with services.db.transaction() as s:
        c = await repo.get(s, campaign_id)
        if c is None:
            raise CampaignError(f"no campaign {campaign_id}")
        members = await segments.members(services, s, c.segment)
        result = await repo.run(s, sql, c, members, window(services))
    queued = sum(result.queued.values())
    log.info("campaign %s: queued %d, skipped %s", campaign_id, queued, result.skipped)
    return {
        "campaign": campaign_id,
        "queued": queued,
        "by_channel": result.queued,
        "skipped": result.skipped,
    }


async def report(services: Services, campaign_id: int) -> dict[str, Any]:
    async with services.db.session() as s:
        c = await repo.get(s, campaign_id)
        if c is None:
            raise CampaignError(f"no campaign {campaign_id}")
        return await repo.report(s, c)


async def run_due(services: Services) -> int:
    """Run scheduled campaigns whose time has come (the scheduler calls this)."""
    async with services.db.session() as s:
        ids = await repo.due(s, services.clock.now())
    for cid in ids:
        try:
            await run(services, cid)
        except Exception:  # noqa: BLE001 - one bad campaign must not stop the others
            log.exception("campaign %s failed to run", cid)
    return len(ids)
