"""Exactly once, within a reply budget: claim a message by key, answer retries with the same reply.

Channel-neutral. The first attempt claims the key in ``inbound_messages`` (shared storage,
so a retry that reaches another process is still a retry), runs the work, and stores the
reply — unless the work stored it already, in the same transaction as its own writes
(``Reply.recorded``: the dialog does). A retry answers the stored reply, or waits for the
first attempt while it is still running. Work that overruns the budget is acknowledged with an empty answer at once and
its reply handed to ``deliver_late`` when ready (ack first, finish later); retries after
that get an empty answer, never a second reply.

Writes are group-committed: claims and finished replies that arrive together share one
transaction (one multi-row INSERT … ON CONFLICT DO NOTHING RETURNING for the claims, one
executemany UPDATE for the replies), so the ledger costs a few statements per batch, not
per message. Channel bookkeeping that can be done for many messages at once registers
itself with :func:`defer` from its ``on_claim`` and runs once per batch.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot import faults, liveness
from bot.context import Services
from bot.messages import Reply, reply_from_json, reply_to_json
from storage.repos import inbound as inbound_repo

log = logging.getLogger(__name__)

POLL_S = 0.02
# A "processing" row with no owner recorded (written before owners were) older than
# budget + this is taken to belong to a process that died. Rows with an owner are taken
# over as soon as that owner is gone (bot/liveness.py).
STALE_GRACE_S = 10.0
# A claim not written by then is answered 503 (WeChat gives up on a request after 5 s).
CLAIM_TIMEOUT_S = 4.5
# The turn stored its reply as the budget ran out: how long to wait for it to return
RECORDED_GRACE_S = 0.3
TEXT_KEPT = 500  # characters of an inbound text kept in the ledger (what staff read)


@dataclass
class Outcome:
    """What to answer now: ``reply`` None means an empty 200."""

    reply: Reply | None
    duplicate: bool = False
    late: bool = False


def _inflight(services: Services) -> dict[str, asyncio.Future[Reply | None]]:
    return services.extras.setdefault("dedup_inflight", {})


async def process_once(
    services: Services,
    *,
    key: str,
    channel: str,
    from_user: str,
    msg_type: str,
    budget_s: float,
    work: Callable[[], Awaitable[Reply | None]],
    deliver_late: Callable[[Reply], Awaitable[None]],
    on_claim: Callable[[AsyncSession], Awaitable[Any]] | None = None,
    text: str | None = None,
) -> Outcome:
    """Run ``work`` once for ``key`` and say what to answer within ``budget_s`` seconds.

    ``on_claim`` runs in the claim's own transaction (first attempt only): bookkeeping that
    must happen exactly once with the claim, such as updating the customer. ``text`` (what
    the person wrote) is recorded with the claim, clipped to :data:`TEXT_KEPT` characters.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + budget_s
    now = services.clock.now()
    claim = _Claim(
        key=key,
        row={
            "dedup_key": key,
            "channel": channel,
            "from_user": from_user,
            "msg_type": msg_type,
            "text": text[:TEXT_KEPT] if text else None,
            "received_at": now,
            "owner": liveness.me(services).id,
        },
        stale_before=now - timedelta(seconds=budget_s + STALE_GRACE_S),
        on_claim=on_claim,
        future=loop.create_future(),
    )
    try:
        # a database that hangs must not outlast WeChat's 5 s: 503 before then
        written = _writer(services).submit(claim)
        if not await settled(written, CLAIM_TIMEOUT_S):
            raise TimeoutError
        claimed = written.result()
    except (TimeoutError, asyncio.CancelledError) as exc:
        claim.abandoned = True  # if it commits after all, the writer gives it back
        done = claim.future
        if (
            done.done()
            and not done.cancelled()
            and done.exception() is None
            and done.result()
            and key in _inflight(services)
        ):  # it committed while wait_for was delivering the timeout: give it back here
            services.spawn(_release(services, key, _inflight(services)[key]))
        if isinstance(exc, asyncio.CancelledError):
            raise
        raise faults.StorageUnavailable(f"database slower than {CLAIM_TIMEOUT_S:.1f} s") from None
    except Exception as exc:
        raise (faults.unavailable(exc) or exc) from exc
    if not claimed:
        services.metrics.duplicates.labels(channel).inc()
        return Outcome(reply=await _await_first(services, key, deadline), duplicate=True)

    # registered by the writer as it committed the claim, before any retry could look
    future = _inflight(services)[key]
    task = services.spawn(_guarded(work, channel))
    if await settled(task, max(deadline - loop.time(), 0.0)):
        try:
            reply = task.result()
        except faults.StorageUnavailable:
            # nothing half-written: the claim goes, so WeChat's retry runs the turn again
            await _release(services, key, future)
            raise
        if reply is not None and reply.recorded:  # stored with the turn's own writes
            _settle(services, key, future, reply)
            return Outcome(reply=reply if not reply.empty else None)
        try:
            await _writer(services).submit(
                _Finish(
                    key=key,
                    reply=reply_to_json(reply),
                    intent=reply.intent if reply else None,
                    future=loop.create_future(),
                )
            )
        except Exception:  # kept by the writer and stored when storage is back
            log.exception("%s: the reply could not be stored; answering it anyway", channel)
        finally:
            _settle(services, key, future, reply)
        return Outcome(reply=reply if reply is not None and not reply.empty else None)

    try:
        async with services.db.transaction() as session:
            marked = await inbound_repo.mark_late(session, key)
        if not marked:  # the turn stored its reply just as time ran out: answer it
            await settled(task, RECORDED_GRACE_S)  # it is returning now
            if task.done() and not task.cancelled() and task.exception() is None:
                reply = task.result()
                _settle(services, key, future, reply)
                return Outcome(reply=reply if reply is not None and not reply.empty else None)
    except Exception as exc:
        if faults.unavailable(exc) is None:
            raise
        faults.report(
            f"{channel}: a late message could not be marked late ({exc.__class__.__name__})"
        )
    _settle(services, key, future, None)
    services.spawn(_finish_late(services, key, task, deliver_late))
    log.info("%s: reply over budget (%.1fs), acknowledged; it will follow", channel, budget_s)
    return Outcome(reply=None, late=True)


async def settled(future: asyncio.Future[Any], within_s: float) -> bool:
    """Wait up to ``within_s`` seconds for ``future`` to be done, never cancelling it (as
    ``asyncio.wait`` does, with one waiter and one timer); True when it is done."""
    if future.done():
        return True
    loop = asyncio.get_running_loop()
    waiter = loop.create_future()

    def wake(_: Any = None) -> None:
        if not waiter.done():
            waiter.set_result(None)

    future.add_done_callback(wake)
    timer = loop.call_later(max(within_s, 0.0), wake)
    try:
        await waiter
    finally:
        timer.cancel()
        future.remove_done_callback(wake)
    return future.done()


def _settle(
    services: Services, key: str, future: asyncio.Future[Reply | None], reply: Reply | None
) -> None:
    _inflight(services).pop(key, None)
    if not future.done():
        future.set_result(reply)


async def _guarded(work: Callable[[], Awaitable[Reply | None]], channel: str) -> Reply | None:
    """The work's reply; a bug answers empty, a storage fault raises StorageUnavailable."""
    try:
        return await work()
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        fault = faults.unavailable(exc)
        if fault is not None:
            raise fault from exc
        log.exception("%s: handling a message failed; answering empty", channel)
        return None


async def _release(services: Services, key: str, future: asyncio.Future[Reply | None]) -> None:
    """Give the claim back (its turn could not be stored); kept for later when even that fails."""
    _settle(services, key, future, None)
    try:
        async with services.db.transaction(short=True) as session:
            await inbound_repo.release(session, key)
    except Exception as exc:
        if faults.unavailable(exc) is None:
            raise
        _writer(services).releases.add(key)


async def _finish_late(
    services: Services,
    key: str,
    task: asyncio.Task[Reply | None],
    deliver_late: Callable[[Reply], Awaitable[None]],
) -> None:
    try:
        reply = await task
    except faults.StorageUnavailable as exc:
        faults.report(f"a late message could not be answered: storage unavailable ({exc.reason})")
        return
    try:
        async with services.db.transaction() as session:
            await inbound_repo.record_late_reply(
                session, key, reply=reply_to_json(reply), intent=reply.intent if reply else None
            )
        if reply is not None and not reply.empty:
            await deliver_late(reply)
    except Exception:
        log.exception("late reply could not be queued")


async def _await_first(services: Services, key: str, deadline: float) -> Reply | None:
    """The first attempt's reply: from this process's in-flight table, else from storage."""
    loop = asyncio.get_running_loop()
    future = _inflight(services).get(key)
    if future is not None:
        return future.result() if await settled(future, deadline - loop.time()) else None
    while True:
        async with services.db.session() as session:
            state = await inbound_repo.state(session, key)
        if state is None:
            return None
        status, stored = state
        if status == "done":
            return reply_from_json(stored)
        if status != "processing" or loop.time() >= deadline:
            return None  # late: the reply goes by customer-service message
        await asyncio.sleep(min(POLL_S, max(deadline - loop.time(), 0.0)))


# ---------------------------------------------------------------- group commit


@dataclass
class _Claim:
    key: str
    row: dict[str, Any]
    stale_before: datetime
    on_claim: Callable[[AsyncSession], Awaitable[Any]] | None
    future: asyncio.Future[bool]
    result: bool = False
    abandoned: bool = False  # its request already answered 503


@dataclass
class _Finish:
    key: str
    reply: str | None
    intent: str | None
    future: asyncio.Future[None]


Hook = Callable[[AsyncSession, list[Any]], Awaitable[None]]


def defer(session: AsyncSession, name: str, item: Any, hook: Hook) -> None:
    """From an ``on_claim``: have ``hook(session, items)`` run once for every item deferred
    under ``name`` in this batch, inside the claim transaction, before it commits."""
    pending: dict[str, tuple[Hook, list[Any]]] = session.info.setdefault("dedup_deferred", {})
    pending.setdefault(name, (hook, []))[1].append(item)


async def _run_deferred(session: AsyncSession) -> None:
    pending = session.info.pop("dedup_deferred", {})
    for hook, items in pending.values():
        await hook(session, items)


def flush_kept(services: Services) -> None:
    """Write the replies and given-back claims kept while storage was failing."""
    writer = services.extras.get("dedup_writer")
    if writer is not None:
        writer.flush()


def _writer(services: Services) -> _Writer:
    writer = services.extras.get("dedup_writer")
    if writer is None:
        writer = services.extras["dedup_writer"] = _Writer(services)
    return writer


class _Writer:
    """One writer per process: drains queued claims and finishes in shared transactions.

    When storage fails, the claims of the batch fail at once (their requests answer 503);
    finished replies and given-back claims are kept and written with the next batch, or when
    :meth:`flush` runs (the heartbeat does), so no row stays ``processing``."""

    MAX_BATCH = 200
    # a batch of fewer waits this long for more to join its transaction: longer where a
    # statement is a network round trip (PostgreSQL: ~50 µs of CPU each, 4 a batch) than
    # on SQLite in the loop's thread, where the wait would only add latency
    GATHER_INLINE, GATHER_NETWORK = (16, 0.002), (32, 0.004)

    def __init__(self, services: Services) -> None:
        self.services = services
        inline = services.db.inline_engine is not None
        self.gather_below, self.gather_s = self.GATHER_INLINE if inline else self.GATHER_NETWORK
        self.claims: list[_Claim] = []
        self.finishes: list[_Finish] = []
        self.unsettled: list[_Finish] = []  # replies answered but not yet stored
        self.releases: set[str] = set()  # claims to give back
        self.task: asyncio.Task[None] | None = None
        self.registered = False  # this process's row in ``processes`` (bot/liveness.py)

    def submit(self, op: _Claim | _Finish) -> asyncio.Future[Any]:
        (self.claims if isinstance(op, _Claim) else self.finishes).append(op)
        self._start()
        return op.future

    def _start(self) -> None:
        if self.task is None or self.task.done():
            self.task = self.services.spawn(self._drain())

    @property
    def pending(self) -> int:
        return len(self.unsettled) + len(self.releases)

    def flush(self) -> None:
        """Write what was kept while storage was failing."""
        if self.pending:
            self.finishes[:0], self.unsettled = self.unsettled, []
            self._start()

    async def _drain(self) -> None:
        current: list[_Claim | _Finish] = []
        try:
            while self.claims or self.finishes or self.releases:
                if len(self.claims) + len(self.finishes) < self.gather_below:
                    await asyncio.sleep(self.gather_s)  # let a few more join this transaction
                claims, self.claims = self.claims[: self.MAX_BATCH], self.claims[self.MAX_BATCH :]
                finishes = self.finishes[: self.MAX_BATCH]
                self.finishes = self.finishes[self.MAX_BATCH :]
                releases, self.releases = self.releases, set()
                current = [*claims, *finishes]
                try:
                    await self._batch(claims, finishes, releases)
                except Exception as exc:
                    fault = faults.unavailable(exc)
                    if fault is not None:
                        self._keep(claims, finishes, releases, fault)
                    elif len(current) == 1:
                        log.exception("dedup: writing a message failed")
                        _fail(current[0].future, exc)
                    else:
                        log.warning("dedup: a batch failed; writing its messages one by one")
                        for op in current:
                            await self._single(op)
                        self.releases |= releases
                else:
                    self._committed(claims, finishes)
                current = []
        except BaseException:
            stopped = RuntimeError("dedup writer stopped")
            for op in [*current, *self.claims, *self.finishes]:
                _fail(op.future, stopped)
            self.claims, self.finishes = [], []
            raise

    def _committed(self, claims: list[_Claim], finishes: list[_Finish]) -> None:
        """After a commit: claimed keys go in flight (before anyone can look), then answer."""
        if claims and not self.registered:
            self.registered = True
            liveness.start(self.services)
        inflight = _inflight(self.services)
        loop = asyncio.get_running_loop()
        for c in claims:
            if c.result and c.abandoned:
                self.releases.add(c.key)  # nobody runs it: the retry claims it anew
            elif c.result:
                inflight[c.key] = loop.create_future()
            _resolve(c.future, c.result)
        for f in finishes:
            _resolve(f.future, None)

    def _keep(
        self,
        claims: list[_Claim],
        finishes: list[_Finish],
        releases: set[str],
        fault: faults.StorageUnavailable,
    ) -> None:
        """Storage failed: the claims fail now (503), the rest waits for storage."""
        faults.report(f"dedup: storage unavailable ({fault.reason}); messages answered 503")
        for c in claims:
            _fail(c.future, fault)
        for f in finishes:
            _resolve(f.future, None)
        self.unsettled.extend(finishes)
        self.releases |= releases
        # claims queued behind this batch would meet the same fault: fail them too
        for c in self.claims:
            _fail(c.future, fault)
        self.claims = []
        self.unsettled.extend(self.finishes)
        for f in self.finishes:
            _resolve(f.future, None)
        self.finishes = []

    async def _single(self, op: _Claim | _Finish) -> None:
        try:
            if isinstance(op, _Claim):
                await self._batch([op], [], set())
                self._committed([op], [])
            else:
                await self._batch([], [op], set())
                self._committed([], [op])
        except Exception as exc:
            log.exception("dedup: writing a message failed")
            _fail(op.future, exc)

    async def _batch(
        self, claims: list[_Claim], finishes: list[_Finish], releases: set[str]
    ) -> None:
        async with self.services.db.transaction(short=True) as session:
            if claims and not self.registered:
                await liveness.register(session, self.services)
            if releases:
                await inbound_repo.release_many(session, sorted(releases))
            if finishes:
                await inbound_repo.finish_many(
                    session, [(f.key, f.reply, f.intent) for f in finishes]
                )
            if claims:
                new = await inbound_repo.claim_many(session, [c.row for c in claims])
                taken: set[str] = set()
                for c in claims:
                    c.result = c.key in new and c.key not in taken
                    if c.result:
                        taken.add(c.key)
                for c in claims:
                    if c.result or c.key in taken:
                        continue
                    if await self._take_over(session, c):
                        log.warning(
                            "%s: taking over a message whose first attempt died", c.row["channel"]
                        )
                        c.result = True
                        taken.add(c.key)
                for c in claims:
                    if c.result and c.on_claim is not None:
                        await c.on_claim(session)
                await _run_deferred(session)

    async def _take_over(self, session: AsyncSession, c: _Claim) -> bool:
        """A retry of a message still ``processing``: claim it when its first attempt is gone
        (its process dead or stopped, or this process no longer running it)."""
        first = await inbound_repo.owner_of(session, c.key)
        if first is None or first[0] != "processing":
            return False
        owner = first[1]
        mine = c.row["owner"]
        if owner is None:
            if first[2] >= c.stale_before:
                return False
        elif owner == mine:
            if c.key in _inflight(self.services):
                return False
        elif not await liveness.is_gone(session, self.services, owner):
            return False
        return await inbound_repo.take_over(
            session, c.key, owner=owner, new_owner=mine, now=c.row["received_at"]
        )


def _resolve(future: asyncio.Future[Any], value: Any) -> None:
    if not future.done():
        future.set_result(value)


def _fail(future: asyncio.Future[Any], exc: BaseException) -> None:
    if not future.done():
        future.set_exception(exc)
        # its request may be gone (the client hung up): no "exception never retrieved"
        future.add_done_callback(_retrieved)


def _retrieved(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()
