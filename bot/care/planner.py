"""The daily care plan: every enabled rule's SELECT, united, filtered (followers, opt-outs,
already planned), routed to a channel and capped per customer — all in one SQL statement,
then either streamed (preview), counted (dry run) or INSERTed into the outbox (run)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from bot.care.quiet import QuietHours, parse_hhmm
from bot.care.rules import RULES, rule_configs
from bot.care.rules.base import PRIORITY, PlanContext
from bot.care.settings import care_config
from bot.context import Services
from storage.repos import care as repo
from storage.repos.care_sql import Sql


class Planner:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.care = care_config(services.settings)
        self.rules = rule_configs(self.care)
        self.tz = services.settings.tz
        self.quiet = QuietHours.from_config(self.care)

    def send_time(self, day: date) -> datetime:
        """When the day's messages may go: ``care.send_at`` local, after quiet hours."""
        at = datetime.combine(day, parse_hhmm(str(self.care.get("send_at", "10:00"))), self.tz)
        return self.quiet.defer(at).astimezone(UTC)

    def _sql(self) -> Sql:
        return Sql(self.services.db.engine.dialect.name)

    def _plan(self, day: date, sql: Sql):
        ctx = PlanContext(sql=sql, day=day, tz=self.tz)
        parts = []
        for name, cfg in self.rules.items():
            if not cfg.get("enabled", True):
                continue
            mod = RULES[name]
            meta = repo.RuleMeta(
                rule=name,
                kind=mod.KIND,
                priority=PRIORITY[mod.KIND],
                optout=mod.OPTOUT,
                title=cfg.get("title") or mod.TITLE,
                pref=cfg.get("channel", "auto"),
            )
            parts.extend((q, meta) for q in mod.queries(ctx, cfg))
        if not parts:
            return None
        send = self.send_time(day)
        start = datetime.combine(day - timedelta(days=6), time(0), self.tz).astimezone(UTC)
        end = datetime.combine(day + timedelta(days=1), time(0), self.tz).astimezone(UTC)
        window = repo.PlanWindow(
            week_start_utc=start,
            week_end_utc=end,
            kf_since_utc=send - timedelta(hours=float(self.care.get("kf_window_hours", 48))),
            weekly_cap=int(self.care.get("weekly_cap", 2)),
            templates=bool(self.services.settings.mp.template_ids.get("service_notice")),
        )
        return repo.plan_select(sql, parts, window)

    async def preview(self, day: date) -> AsyncIterator[dict[str, Any]]:
        """What would be planned for ``day``; writes nothing."""
        plan = self._plan(day, self._sql())
        if plan is None:
            return
        async with self.services.db.session() as s:
            async for row in repo.stream_plan(s, plan):
                yield {
                    "customer": row.customer_id,
                    "rule": row.rule,
                    "channel": row.channel,
                    "text": row.text,
                }

    async def run(self, day: date, dry_run: bool = False) -> dict[str, Any]:
        """Write the day's plan to the outbox (or, dry, count it). Idempotent per day."""
        sql = self._sql()
        plan = self._plan(day, sql)
        if plan is None:
            return {"day": day.isoformat(), "planned": 0, "by_rule": {}}
        if dry_run:
            async with self.services.db.session() as s:
                counts = await repo.count_plan(s, plan)
            by_rule: dict[str, int] = {}
            by_channel: dict[str, int] = {}
            for (rule, ch), n in counts.items():
                by_rule[rule] = by_rule.get(rule, 0) + n
                by_channel[ch] = by_channel.get(ch, 0) + n
            return {
                "day": day.isoformat(),
                "dry_run": True,
                "planned": sum(by_rule.values()),
                "by_rule": by_rule,
                "by_channel": by_channel,
            }
        stamp = datetime.now(UTC)  # real time: tells this run's rows apart
        async with self.services.db.transaction() as s:
            by_rule = await repo.insert_plan(s, sql, plan, self.send_time(day), stamp)
        return {"day": day.isoformat(), "planned": sum(by_rule.values()), "by_rule": by_rule}
