"""Turns that arrive together share one transaction (group commit for the dialog).

Under load a webhook process holds many messages at once. Each used to open its own
transaction: one statement for who is writing, one to save the conversation, a commit —
more than the turn's own work. Here concurrent turns queue up; a worker takes them in
batches, reads every writer's customer, hand-off state and conversation in one statement,
answers the turns one after another in that transaction, saves every conversation in one
statement and commits once.

Nothing is shared that should not be: a batch holds at most one turn per conversation (a
second message from the same person waits for the next batch, and sees the first one's
state), and a failure anywhere rolls the whole batch back and answers its turns one by
one in their own transactions (bot.dialog.engine.respond_alone), so one bad turn cannot
take the others' replies or writes with it.

Workers: one on SQLite (its statements run on the loop's thread and never wait), up to a
few on PostgreSQL. In steady traffic one worker takes everything that arrived during its
last batch (a round trip costs ~50 µs of CPU: bigger batches, fewer of them); another
starts only when more turns wait than one batch takes (:data:`SPARE_AFTER`), e.g. while a
batch is held up by a conversation lock another process holds.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from bot.context import Services
from bot.messages import Inbound, Reply
from bot.nlu import Parse

log = logging.getLogger(__name__)

MAX_BATCH = 32
SPARE_AFTER = MAX_BATCH  # more turns waiting than one batch takes: another worker (PostgreSQL)


@dataclass
class _Pending:
    inbound: Inbound
    parse: Parse
    future: asyncio.Future[Reply] = field(repr=False)


class TurnBatcher:
    """Queues turns and answers them in shared transactions; one per Services."""

    def __init__(self, services: Services, workers: int) -> None:
        self.services = services
        self.workers = workers
        self.queue: list[_Pending] = []
        self.busy: set[str] = set()  # conversations in a batch being answered
        self.running: set[asyncio.Task[None]] = set()

    async def submit(self, inbound: Inbound, parse: Parse) -> Reply:
        future: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        self.queue.append(_Pending(inbound, parse, future))
        if self.running:
            self.running = {t for t in self.running if not t.done()}
        if not self.running or (
            len(self.running) < self.workers and len(self.queue) >= SPARE_AFTER
        ):
            self.running.add(self.services.spawn(self._drain()))
        return await future

    def _take(self) -> list[_Pending]:
        """Up to MAX_BATCH turns in arrival order, at most one per conversation, none of a
        conversation another worker is answering."""
        batch: list[_Pending] = []
        rest: list[_Pending] = []
        for item in self.queue:
            key = item.inbound.user_key
            if len(batch) < MAX_BATCH and key not in self.busy:
                batch.append(item)
                self.busy.add(key)
            else:
                rest.append(item)
        self.queue = rest
        return batch

    async def _drain(self) -> None:
        await asyncio.sleep(0)  # turns that arrive in the same tick join the first batch
        batch: list[_Pending] = []
        try:
            while self.queue:
                batch = self._take()
                if not batch:  # all waiting turns belong to conversations being answered
                    await asyncio.sleep(0.001)
                    continue
                try:
                    await self._answer(batch)
                finally:
                    self.busy.difference_update(item.inbound.user_key for item in batch)
        except BaseException:  # cancelled (shutting down): nobody may wait forever
            for item in [*batch, *self.queue]:
                item.future.cancel()
            self.queue = []
            raise

    async def _answer(self, batch: list[_Pending]) -> None:
        from bot.dialog import engine

        try:
            replies = await engine.respond_together(
                self.services, [(p.inbound, p.parse) for p in batch]
            )
        except Exception as exc:
            if len(batch) == 1:
                _settle(batch[0].future, error=exc)
                return
            log.warning("dialog: a batch of %d turns failed; answering one by one", len(batch))
            for item in batch:
                try:
                    reply = await engine.respond_alone(self.services, item.inbound, item.parse)
                except Exception as one:
                    _settle(item.future, error=one)
                else:
                    _settle(item.future, reply)
            return
        for item, reply in zip(batch, replies, strict=True):
            _settle(item.future, reply)


def _settle(
    future: asyncio.Future[Reply], reply: Reply | None = None, error: Exception | None = None
) -> None:
    """Hand over the answer, unless the one waiting for it has gone (its turn still counts:
    what it wrote is committed with the batch)."""
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(reply)  # type: ignore[arg-type]


def batcher_of(services: Services) -> TurnBatcher:
    batcher = services.extras.get("turn_batcher")
    if batcher is None:
        workers = 1 if services.db.inline_engine is not None else 4
        batcher = services.extras["turn_batcher"] = TurnBatcher(services, workers)
    return batcher
