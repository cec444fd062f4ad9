"""Outbox queries: every outgoing message is a row here before it is sent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage
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
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:
        return None
    return row


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
