"""Automatic tags recomputed from data, manual tags by guides, and the WeCom sync.

``recompute(services)`` runs every rule of config.yaml ``scrm.tags`` in one transaction:
per rule one DELETE (holders who no longer qualify) and one INSERT … SELECT (new holders),
so the time grows with the database's own work, not with Python loops over customers.
Changes for customers linked to a guide in WeCom are logged and turned by ``sync_changes``
into outbox rows (channel ``work_tag``, written in the transaction that
deletes the changes, so each change is queued once): sent with WeCom's mark_tag in live mode, recorded
as sent in sandbox mode like every other call."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass

from bot.context import Services
from bot.scrm.settings import tag_rules
from storage.repos import tags as repo
from storage.repos.care_sql import Sql
from storage.repos.tag_rules import rule_select

log = logging.getLogger(__name__)
STATS_AFTER = 10_000  # rows changed by one rule before the planner's statistics are renewed


@dataclass
class RecomputeResult:
    counts: dict[str, int]  # tag → holders now
    added: int
    removed: int
    queued_syncs: int


async def recompute(services: Services, *, sync: bool = True) -> RecomputeResult:
    rules = tag_rules(services.settings)
    today = services.clock.local_now().date()
    now = services.clock.now()
    sql = Sql(services.db.engine.dialect.name)
    added = removed = 0
    async with services.db.transaction() as s:
        await repo.no_jit(s)
        ids = await repo.ensure(s, [r.name for r in rules], "auto")
        for r in rules:
            a, d = await repo.recompute(
                s, ids[r.name], rule_select(sql, today, r.rule, r.params), now
            )
            added, removed = added + a, removed + d
            if a + d > STATS_AFTER:
                await repo.refresh_stats(s)
        counts = {n: c for n, k, c in await repo.counts(s) if n in ids}
    queued = await sync_changes(services) if sync else 0
    log.info(
        "tags: recomputed %d rules (+%d −%d), %d WeCom syncs", len(rules), added, removed, queued
    )
    return RecomputeResult({r.name: counts.get(r.name, 0) for r in rules}, added, removed, queued)


async def sync_changes(services: Services, batch: int = 5000) -> int:
    """Logged tag changes → one outbox row per (contact, guide) with the net additions and
    removals by tag name. Returns the rows queued."""
    queued = 0
    while True:
        async with services.db.transaction() as s:
            rows = await repo.pending_changes(s, batch)
            if not rows:
                return queued
            net: dict[tuple[int, str, str], dict[str, str]] = defaultdict(dict)
            for _id, cid, op, name, ext, user in rows:
                if ext is None:
                    continue
                net[(cid, ext, user)][name] = op  # the last change of a tag wins
            last = rows[-1][0]
            values = []
            for (cid, ext, user), ops in net.items():
                add = sorted(n for n, o in ops.items() if o == "+")
                remove = sorted(n for n, o in ops.items() if o == "-")
                values.append(
                    {
                        "customer_id": cid,
                        "external_userid": ext,
                        "text": " ".join([f"+{n}" for n in add] + [f"-{n}" for n in remove]),
                        "payload": {"userid": user, "add": add, "remove": remove},
                    }
                )
            queued += await repo.queue_syncs(s, values, services.clock.now())
            await repo.drop_changes(s, last)
        if len(rows) < batch:
            return queued
