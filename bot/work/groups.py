"""Community groups: the ``groups:`` section of config.yaml synced into the groups table,
scheduled posts (group SOP) and festival greetings queued as ``group_robot`` outbox rows.

config.yaml::

    groups:
      - name: 阳光花园业主群
        robot_key: ${WXBOT_ROBOT_SUNSHINE:-sandbox-robot-key-a}
        store: S001
        posts:                       # optional SOP
          - {weekday: 5, time: "10:00", text: "周五福利日…"}           # every Friday
          - {date: 2026-12-01, time: "09:30", markdown: "**12月保养季**…"}
          - {weekday: 1, time: "09:00", news: [{title, description, url, picurl}]}

The dispatcher sends them through the robot webhook at most ``work.robot_per_minute`` a
minute per robot (a queue: later rows wait their turn), with retries; results stay in the outbox.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time
from typing import Any

from bot.context import Services
from storage.repos import groups as groups_repo
from storage.repos import outbox as outbox_repo

log = logging.getLogger(__name__)


def config_groups(services: Services) -> list[dict[str, Any]]:
    return [g for g in services.settings.groups if isinstance(g, dict) and g.get("name")]


async def sync_groups(services: Services) -> dict[str, int]:
    """Upsert every group in config into the groups table. Returns counts by outcome."""
    counts: dict[str, int] = {"created": 0, "updated": 0, "unchanged": 0}
    async with services.db.transaction() as s:
        for g in config_groups(services):
            if not g.get("robot_key"):
                log.warning("groups: %s has no robot_key; skipped", g["name"])
                continue
            outcome = await groups_repo.upsert(
                s, str(g["name"]), str(g["robot_key"]), g.get("store")
            )
            counts[outcome] += 1
    return counts


def message_of(post: dict[str, Any]) -> tuple[str | None, dict[str, Any]] | None:
    """(text, payload) of a post: text, markdown or news."""
    if post.get("markdown"):
        return str(post["markdown"]), {"msgtype": "markdown"}
    if post.get("news"):
        articles = post["news"] if isinstance(post["news"], list) else [post["news"]]
        return articles[0].get("title"), {"msgtype": "news", "articles": articles}
    if post.get("text"):
        return str(post["text"]), {"msgtype": "text"}
    return None


async def enqueue_post(
    services: Services,
    group_name: str,
    text: str | None,
    payload: dict[str, Any],
    *,
    at: datetime,
    idem_key: str | None = None,
    kind: str = "notice",
) -> int | None:
    """One post to one group at ``at``. Returns the outbox row id (None: already queued,
    or no such group)."""
    async with services.db.transaction() as s:
        group = await groups_repo.by_name(s, group_name)
        if group is None or not group.robot_key:  # a synced group without a robot
            return None
        row = await outbox_repo.enqueue(
            s,
            channel="group_robot",
            recipient=group.robot_key,
            text=text,
            kind=kind,
            rule="group_post",
            idem_key=idem_key,
            payload={**payload, "group": group.name},
            not_before=at,
        )
        return row.id if row is not None else None


def _post_on(post: dict[str, Any], day: date) -> bool:
    if post.get("date"):
        d = post["date"]
        return (d if isinstance(d, date) else date.fromisoformat(str(d))) == day
    if post.get("weekday"):
        return int(post["weekday"]) == day.isoweekday()
    return bool(post.get("daily"))


async def plan_posts(services: Services, on: date) -> int:
    """Queue the SOP posts of config's groups that fall on ``on``. Idempotent per day."""
    await sync_groups(services)
    queued = 0
    tz = services.settings.tz
    for g in config_groups(services):
        for i, post in enumerate(g.get("posts") or []):
            if not isinstance(post, dict) or not _post_on(post, on):
                continue
            msg = message_of(post)
            if msg is None:
                continue
            hh, mm = (int(x) for x in str(post.get("time", "10:00")).split(":"))
            at = datetime.combine(on, time(hh, mm), tz)
            key = f"group:{g['name']}:{post.get('id', i)}:{on.isoformat()}"
            if await enqueue_post(services, g["name"], msg[0], msg[1], at=at, idem_key=key):
                queued += 1
    return queued


async def greet_groups(
    services: Services, occasion: str, text: str, on: date, at: time = time(9, 0)
) -> int:
    """A festival greeting to every group (kind "festival": sent at most once). For the care
    planner's festival rule: ``await greet_groups(services, "中秋", text, day)``."""
    async with services.db.session() as s:
        names = [g.name for g, _ in await groups_repo.all_groups(s)]
    when = datetime.combine(on, at, services.settings.tz)
    queued = 0
    for name in names:
        key = f"festival:{occasion}:{on.isoformat()}:group:{name}"
        if await enqueue_post(
            services, name, text, {"msgtype": "text"}, at=when, idem_key=key[:200], kind="festival"
        ):
            queued += 1
    return queued
