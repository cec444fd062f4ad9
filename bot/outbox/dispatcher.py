"""Send what is due from the outbox.

Claiming: one UPDATE … RETURNING moves due rows from 'pending' to 'sending', adds one to
``attempts`` (the claim token: later updates match it, so a row taken over by another
process is not overwritten) and sets ``not_before`` to now + lease.

Crashes: if this task is cancelled mid-batch, sends already in flight finish and are
recorded, rows not yet started go back to 'pending'. Before a send, its row records
``send_started_at`` (group-committed with the rows starting beside it), so a row a killed
process left 'sending' tells, after its lease, whether it was ever tried:
- never started: due again and sent, whatever its kind;
- started (the outcome is unknown: it may have arrived), by kind —
  ``reply`` / ``text`` (someone is waiting for the answer): re-sent (at-least-once);
  ``festival`` / ``solar_term``: skipped, a dead letter "outcome unknown", as a duplicate
  greeting is worse than a missed one;
  every other kind (ticket notices, service updates, care lines): a dead letter "outcome
  unknown" for a person to check and `wxbot outbox retry`, so it arrives once.
WeChat offers no idempotency key, so the only double-send window is a hard kill while an
HTTP request (or the 50 ms group commit of 'sent' marks) is in flight.

Quiet hours: during them only replies (``kind='reply'``) are claimed; everything else waits.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from bot.care.quiet import QuietHours
from bot.care.settings import care_config, outbox_config
from bot.context import Services
from bot.outbox.channels import chain
from bot.outbox.senders import SENDERS, guide
from bot.wechat.errors import NotFollower, OutsideWindow, RateLimited, WeChatError
from storage.models import OutboxMessage
from storage.repos import care as care_repo
from storage.repos import outbox as repo

log = logging.getLogger(__name__)

AT_MOST_ONCE_KINDS = ("festival", "solar_term", "campaign")
RESEND_KINDS = ("reply", "text")
UNKNOWN_SKIPPED = "outcome unknown: the sender stopped mid-send; skipped"
UNKNOWN_FOR_A_PERSON = (
    "outcome unknown: the sender stopped mid-send; check whether it arrived, "
    "then `wxbot outbox retry`"
)
QUIET_EXEMPT_KINDS = ("reply",)


def backoff(cfg: dict[str, Any], attempts: int) -> timedelta:
    s = min(cfg["backoff_s"] * 2 ** max(attempts - 1, 0), cfg["backoff_max_s"])
    return timedelta(seconds=s)


class Dispatcher:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.cfg = outbox_config(services.settings)
        self.quiet = QuietHours.from_config(care_config(services.settings))

    async def run(self, *, limit: int | None = None, ids: list[int] | None = None) -> Counter:
        s = self.services
        now = s.clock.now()
        stats: Counter = Counter()
        # Listed rows (deliver_soon, on the request path) are found by id: short statements.
        # The tick's look for due rows may sort a whole care day: it keeps the threaded engine.
        short = ids is not None
        async with s.db.transaction(short=short) as tx:
            stats["dead"] += await repo.reap_stale(tx, now, AT_MOST_ONCE_KINDS, UNKNOWN_SKIPPED)
            stats["dead"] += await repo.reap_stale(
                tx,
                now,
                AT_MOST_ONCE_KINDS + RESEND_KINDS,
                UNKNOWN_FOR_A_PERSON,
                except_kinds=True,
            )
        kinds = QUIET_EXEMPT_KINDS if self.quiet.contains(s.clock.local_now()) else None
        async with s.db.transaction(short=short) as tx:
            rows = await repo.claim(
                tx,
                now,
                limit=limit or self.cfg["batch"],
                lease_s=self.cfg["lease_s"],
                ids=ids,
                kinds=kinds,
            )
        stats["claimed"] = len(rows)
        if not rows:
            return stats
        if s.settings.sandbox:
            await self._sandbox(rows, now, stats)
            return stats
        await self._send_all(rows, stats)
        return stats

    async def _sandbox(self, rows: list[OutboxMessage], now: datetime, stats: Counter) -> None:
        """Nothing leaves the machine; guide tasks are still written (they are local)."""
        tasks = [r for r in rows if r.channel == "guide_task"]
        unknown = await guide.write_tasks(self.services, tasks) if tasks else set()
        bad = [r for r in tasks if r.recipient in unknown]
        for row in bad:
            await self._final(row, row.channel, "dead", f"no staff with userid {row.recipient}")
        ok = [r for r in rows if r not in bad]
        async with self.services.db.transaction(short=True) as tx:
            await repo.mark_all_sent_sandbox(tx, [r.id for r in ok], now)
        for row in ok:
            self.services.metrics.sends.labels(row.channel, "sandbox").inc()
        stats["sent"] += len(ok)
        stats["dead"] += len(bad)

    async def _send_all(self, rows: list[OutboxMessage], stats: Counter) -> None:
        self._marks: list[int] = []
        self._marks_lock = asyncio.Lock()
        self._lease = rows[0].not_before  # the batch's claim token (see mark_many_sent)
        self._starting: list[int] = []
        self._started: set[int] = set()
        self._start_lock = asyncio.Lock()
        sem = asyncio.Semaphore(self.cfg["concurrency"])
        stopping = False
        started: set[int] = set()

        async def one(row: OutboxMessage) -> None:
            async with sem:
                if stopping:
                    return
                started.add(row.id)
                await self._start(row.id)
                stats[await self._deliver(row)] += 1

        flusher = asyncio.ensure_future(self._flush_every(0.05))
        tasks = [asyncio.ensure_future(one(r)) for r in rows]
        try:
            await asyncio.wait(tasks)
        except asyncio.CancelledError:
            stopping = True
            await asyncio.wait(tasks)  # sends in flight finish and are recorded
            now = self.services.clock.now()
            async with self.services.db.transaction(short=True) as tx:
                for row in rows:
                    if row.id not in started:
                        await repo.mark_retry(
                            tx, row.id, row.attempts, now, None, count_attempt=False
                        )
            raise
        finally:
            flusher.cancel()
            await asyncio.wait([flusher])
            await self._flush()
        for t in tasks:
            if t.exception() is not None:
                log.error("outbox send crashed", exc_info=t.exception())

    async def _start(self, row_id: int) -> None:
        """Record that this row's send starts, committed before it does: the rows starting
        meanwhile share the commit (one UPDATE per wave of ``concurrency`` sends)."""
        self._starting.append(row_id)
        async with self._start_lock:
            if row_id in self._started:
                return
            ids, self._starting = self._starting, []
            async with self.services.db.transaction(short=True) as tx:
                await repo.mark_started(tx, ids, self._lease, self.services.clock.now())
            self._started.update(ids)

    async def _flush_every(self, seconds: float) -> None:
        while True:
            await asyncio.sleep(seconds)
            await asyncio.shield(self._flush())  # stopping the ticker never cuts a commit short

    async def _flush(self) -> None:
        """Group commit of 'sent' marks: one UPDATE for everything sent since the last one.
        A hard kill loses at most this short buffer (those rows are re-sent after the lease)."""
        async with self._marks_lock:
            if not self._marks:
                return
            ids, self._marks = self._marks, []
            try:
                async with self.services.db.transaction(short=True) as tx:
                    await repo.mark_many_sent(tx, ids, self._lease, self.services.clock.now())
            except BaseException:  # a cancelled flush (shutdown) must not drop the marks
                self._marks = ids + self._marks
                raise

    async def _deliver(self, row: OutboxMessage) -> str:
        s = self.services
        options = chain(s.settings, row)
        last: Exception | None = None
        for i, (channel, recipient) in enumerate(options):
            if i > 0:
                async with s.db.transaction(short=True) as tx:
                    await repo.switch_channel(tx, row.id, row.attempts, channel, recipient)
                s.metrics.sends.labels(options[i - 1][0], "fallback").inc()
            try:
                await SENDERS[channel](s, row, recipient)
            except OutsideWindow as exc:
                last = exc
                continue
            except NotFollower as exc:
                if row.customer_id is not None:
                    async with s.db.transaction(short=True) as tx:
                        await care_repo.mark_not_follower(tx, row.customer_id)
                return await self._final(
                    row, channel, "skipped", f"43004 not a follower: {exc.errmsg}"
                )
            except RateLimited as exc:
                later = s.clock.now() + timedelta(seconds=self.cfg["rate_limit_backoff_s"])
                async with s.db.transaction(short=True) as tx:
                    await repo.mark_retry(
                        tx, row.id, row.attempts, later, str(exc), count_attempt=False
                    )
                s.metrics.sends.labels(channel, "deferred").inc()
                return "deferred"
            except WeChatError as exc:
                if exc.retryable:
                    return await self._retry_or_dead(row, channel, exc)
                return await self._final(row, channel, "dead", str(exc))
            except Exception as exc:  # noqa: BLE001 - a bug must not lose the message
                log.exception("outbox row %s: unexpected error", row.id)
                return await self._retry_or_dead(row, channel, exc)
            await self._mark_sent(row)
            s.metrics.sends.labels(channel, "sent").inc()
            return "sent"
        reason = f"no channel left: {last}" if last else "no channel for this recipient"
        return await self._final(row, options[-1][0] if options else row.channel, "dead", reason)

    async def _mark_sent(self, row: OutboxMessage) -> None:
        self._marks.append(row.id)  # written by the next group commit (within 50 ms)

    async def _retry_or_dead(self, row: OutboxMessage, channel: str, exc: Exception) -> str:
        s = self.services
        reason = f"{type(exc).__name__}: {exc}"
        if row.attempts >= self.cfg["max_attempts"]:
            return await self._final(
                row, channel, "dead", f"gave up after {row.attempts} tries: {reason}"
            )
        later = s.clock.now() + backoff(self.cfg, row.attempts)
        async with s.db.transaction(short=True) as tx:
            await repo.mark_retry(tx, row.id, row.attempts, later, reason)
        s.metrics.sends.labels(channel, "retry").inc()
        return "retry"

    async def _final(self, row: OutboxMessage, channel: str, status: str, reason: str) -> str:
        async with self.services.db.transaction(short=True) as tx:
            await repo.mark_final(tx, row.id, row.attempts, status, reason)
        self.services.metrics.sends.labels(channel, status).inc()
        if status == "dead":
            log.warning("outbox row %s is a dead letter: %s", row.id, reason)
        return status


async def dispatch_due(services: Services, limit: int | None = None) -> Counter:
    """Send one batch of due rows. Returns counts: claimed, sent, retry, deferred, dead, skipped."""
    return await Dispatcher(services).run(limit=limit)


async def dispatch_all_due(services: Services, max_batches: int = 1000) -> Counter:
    """Batches until nothing due is left (or ``max_batches``)."""
    total: Counter = Counter()
    for _ in range(max_batches):
        stats = await dispatch_due(services)
        total.update(stats)
        if stats["claimed"] == 0 or stats["claimed"] == stats["deferred"] + stats["retry"]:
            break
    return total


async def deliver_soon(services: Services, ids: list[int]) -> None:
    """Send these rows now (a late reply), not at the next minute tick."""
    if ids:
        await Dispatcher(services).run(ids=list(ids))
