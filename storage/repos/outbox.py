"""Outbox queries: every outgoing message is a row here before it is sent."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage
from storage.repos.upsert import inserted
from storage.types import utcnow


async def enqueue(
    session: AsyncSession,
    *,
    channel: str,
    recipient: str,
    text: str | None = None,
    kind: str = "service",
    customer_id: int | None = None,
    rule: str | None = None,
    idem_key: str | None = None,
    payload: dict[str, Any] | None = None,
    not_before: datetime | None = None,
) -> OutboxMessage | None:
    """Add a message to the outbox. With ``idem_key``, a second enqueue of the same key
    is a no-op and returns ``None`` (the row already there wins)."""
    if idem_key is not None:
        existing = await session.scalar(
            select(OutboxMessage.id).where(OutboxMessage.idem_key == idem_key)
        )
        if existing is not None:
            return None
    row = OutboxMessage(
        channel=channel,
        recipient=recipient,
        text=text,
        kind=kind,
        customer_id=customer_id,
        rule=rule,
        idem_key=idem_key,
        payload=payload or {},
        not_before=not_before or utcnow(),
    )
    if idem_key is None:
        session.add(row)
        await session.flush()
        return row
    return row if await inserted(session, row) else None


async def for_recipient(
    session: AsyncSession, recipient: str, after_id: int = 0
) -> list[OutboxMessage]:
    rows = await session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.recipient == recipient, OutboxMessage.id > after_id)
        .order_by(OutboxMessage.id)
    )
    return list(rows)


async def recent(
    session: AsyncSession, limit: int = 50, status: str | None = None
) -> list[OutboxMessage]:
    q = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    if status:
        q = q.where(OutboxMessage.status == status)
    return list(await session.scalars(q))


# -- the dispatcher's side --------------------------------------------------------------


def _due_filter(now: datetime, ids: list[int] | None, kinds: tuple[str, ...] | None):
    conds = [OutboxMessage.status.in_(("pending", "sending"))]
    if ids is not None:
        # Listed rows go now (deliver_soon); a row already being sent waits for its lease.
        conds = [
            OutboxMessage.id.in_(ids),
            or_(
                OutboxMessage.status == "pending",
                and_(OutboxMessage.status == "sending", OutboxMessage.not_before <= now),
            ),
        ]
    else:
        conds.append(OutboxMessage.not_before <= now)
    if kinds is not None:
        conds.append(OutboxMessage.kind.in_(kinds))
    return and_(*conds)


async def claim(
    session: AsyncSession,
    now: datetime,
    *,
    limit: int,
    lease_s: int,
    ids: list[int] | None = None,
    kinds: tuple[str, ...] | None = None,
) -> list[OutboxMessage]:
    """Atomically take up to ``limit`` due rows: status → 'sending', attempts + 1 (the
    claim token), not_before → now + lease. A 'sending' row whose lease ran out (its
    process died) is due again. PostgreSQL skips rows another process has locked; SQLite
    runs one writer at a time."""
    where = _due_filter(now, ids, kinds)
    sub = (
        select(OutboxMessage.id)
        .where(where)
        .order_by(OutboxMessage.not_before, OutboxMessage.id)
        .limit(limit)
    )
    if session.bind.dialect.name == "postgresql":
        # Evaluated once (MATERIALIZED): a LIMIT … SKIP LOCKED subquery that the planner
        # re-scans per row would skip the rows it just locked and claim more than ``limit``.
        due = sub.with_for_update(skip_locked=True).cte("due").prefix_with("MATERIALIZED")
        ids_q = select(due.c.id)
    else:
        ids_q = sub
    stmt = (
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids_q.scalar_subquery()), where)
        .values(
            status="sending",
            attempts=OutboxMessage.attempts + 1,
            not_before=now + timedelta(seconds=lease_s),
            send_started_at=None,
        )
        .returning(OutboxMessage)
        .execution_options(synchronize_session=False)
    )
    rows = list((await session.scalars(stmt)).all())
    rows.sort(key=lambda r: r.id)
    return rows


async def reap_stale(
    session: AsyncSession,
    now: datetime,
    kinds: tuple[str, ...],
    reason: str,
    *,
    except_kinds: bool = False,
) -> int:
    """Rows of ``kinds`` (or of every other kind, ``except_kinds``) left 'sending' past their
    lease after their send started (outcome unknown) become dead letters, not re-sent.
    Rows whose send never started are left to be claimed again."""
    kind = OutboxMessage.kind.not_in(kinds) if except_kinds else OutboxMessage.kind.in_(kinds)
    res = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == "sending",
            OutboxMessage.not_before <= now,
            OutboxMessage.send_started_at.is_not(None),
            kind,
        )
        .values(status="dead", last_error=reason[:500])
    )
    return res.rowcount or 0


async def mark_started(
    session: AsyncSession, ids: list[int], lease_until: datetime, now: datetime
) -> None:
    """Before sending: these rows of one claimed batch (``lease_until``, its token) start now."""
    await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(ids),
            OutboxMessage.status == "sending",
            OutboxMessage.not_before == lease_until,
        )
        .values(send_started_at=now)
    )


def _mine(row_id: int, attempts: int):
    return and_(
        OutboxMessage.id == row_id,
        OutboxMessage.status == "sending",
        OutboxMessage.attempts == attempts,
    )


async def mark_sent(
    session: AsyncSession,
    row_id: int,
    attempts: int,
    now: datetime,
    *,
    channel: str | None = None,
    recipient: str | None = None,
    sandbox: bool = False,
) -> bool:
    values: dict[str, Any] = {"status": "sent", "sent_at": now, "sandbox": sandbox}
    if channel:
        values["channel"] = channel
    if recipient:
        values["recipient"] = recipient
    res = await session.execute(update(OutboxMessage).where(_mine(row_id, attempts)).values(values))
    return bool(res.rowcount)


async def mark_many_sent(
    session: AsyncSession, ids: list[int], lease_until: datetime, now: datetime
) -> int:
    """Group commit for one claimed batch: every row of the claim shares ``not_before`` =
    ``lease_until`` (the batch's claim token), so a row taken over since is left alone."""
    res = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(ids),
            OutboxMessage.status == "sending",
            OutboxMessage.not_before == lease_until,
        )
        .values(status="sent", sent_at=now, sandbox=False)
    )
    return res.rowcount or 0


async def mark_all_sent_sandbox(session: AsyncSession, ids: list[int], now: datetime) -> int:
    res = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.status == "sending")
        .values(status="sent", sent_at=now, sandbox=True)
    )
    return res.rowcount or 0


async def mark_retry(
    session: AsyncSession,
    row_id: int,
    attempts: int,
    not_before: datetime,
    error: str | None,
    *,
    count_attempt: bool = True,
) -> bool:
    """Back to 'pending' from ``not_before``. ``count_attempt=False`` for deferrals
    (rate limits, released claims) that should not use up the retry budget."""
    values: dict[str, Any] = {"status": "pending", "not_before": not_before}
    if error is not None:
        values["last_error"] = error[:500]
    if not count_attempt:
        values["attempts"] = OutboxMessage.attempts - 1
    res = await session.execute(update(OutboxMessage).where(_mine(row_id, attempts)).values(values))
    return bool(res.rowcount)


async def mark_final(
    session: AsyncSession, row_id: int, attempts: int, status: str, error: str
) -> bool:
    """'dead' (a dead letter, for the operator) or 'skipped' (nothing to do)."""
    res = await session.execute(
        update(OutboxMessage)
        .where(_mine(row_id, attempts))
        .values(status=status, last_error=error[:500])
    )
    return bool(res.rowcount)


async def switch_channel(
    session: AsyncSession, row_id: int, attempts: int, channel: str, recipient: str
) -> None:
    await session.execute(
        update(OutboxMessage)
        .where(_mine(row_id, attempts))
        .values(channel=channel, recipient=recipient)
    )


async def retry(session: AsyncSession, row_id: int, now: datetime) -> bool:
    """The operator's retry of a dead or failed row: pending now, with a fresh budget."""
    res = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.status.in_(("dead", "failed", "skipped")))
        .values(status="pending", not_before=now, attempts=0)
    )
    return bool(res.rowcount)


async def get(session: AsyncSession, row_id: int) -> OutboxMessage | None:
    return await session.get(OutboxMessage, row_id)


async def count_by_status(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    )
    return {status: n for status, n in rows.all()}
