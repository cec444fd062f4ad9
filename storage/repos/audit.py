"""The audit log: who changed what by hand, and when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry


async def record(
    session: AsyncSession,
    *,
    actor: str,
    subject: str,
    subject_id: int,
    action: str,
    now: datetime,
    customer_id: int | None = None,
    before: str | None = None,
    after: str | None = None,
    note: str | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        at=now,
        actor=actor[:64],
        subject=subject,
        subject_id=subject_id,
        customer_id=customer_id,
        action=action,
        before=before,
        after=after,
        note=(note or None) and note[:200],
    )
    session.add(entry)
    await session.flush()
    return entry


async def for_customer(
    session: AsyncSession, customer_id: int, limit: int = 30
) -> list[AuditEntry]:
    return list(
        await session.scalars(
            select(AuditEntry)
            .where(AuditEntry.customer_id == customer_id)
            .order_by(AuditEntry.id.desc())
            .limit(limit)
        )
    )
