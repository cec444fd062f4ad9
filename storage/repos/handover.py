"""Handing a guide's customers, open tasks and leads to a colleague, and what WeCom must
transfer (the guide's external contacts); contact losses for the store manager."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    ChannelIdentity,
    ContactLoss,
    Customer,
    GuideTask,
    SalesLead,
    Staff,
    StaffHandover,
)


@dataclass
class Moved:
    customers: int
    tasks: int
    leads: int
    contacts: list[str]  # WeCom external_userids the leaving guide had added


async def move(
    session: AsyncSession, src: Staff, dst: Staff, mode: str, now: datetime
) -> tuple[StaffHandover, Moved]:
    """Everything of ``src`` to ``dst`` in one transaction (set-based UPDATEs)."""
    customers = await session.execute(
        update(Customer).where(Customer.guide_id == src.id).values(guide_id=dst.id)
    )
    tasks = await session.execute(
        update(GuideTask)
        .where(GuideTask.guide_id == src.id, GuideTask.status == "open")
        .values(guide_id=dst.id)
    )
    leads = await session.execute(
        update(SalesLead)
        .where(SalesLead.guide_id == src.id, SalesLead.status.in_(("new", "contacted")))
        .values(guide_id=dst.id, updated_at=now)
    )
    ci = ChannelIdentity
    mine = (ci.channel == "work", ci.active.is_(True), ci.follow_user == src.wecom_userid)
    contacts = list(await session.scalars(select(ci.external_id).where(*mine).order_by(ci.id)))
    await session.execute(update(ci).where(*mine).values(follow_user=dst.wecom_userid))
    if mode == "leave":
        src.active = False
    moved = Moved(
        int(customers.rowcount or 0), int(tasks.rowcount or 0), int(leads.rowcount or 0), contacts
    )
    row = StaffHandover(
        from_userid=src.wecom_userid,
        to_userid=dst.wecom_userid,
        mode=mode,
        customers=moved.customers,
        tasks=moved.tasks,
        leads=moved.leads,
        contacts=len(contacts),
        at=now,
    )
    session.add(row)
    await session.flush()
    return row, moved


async def record_loss(
    session: AsyncSession,
    *,
    customer_id: int | None,
    guide_userid: str | None,
    change_type: str,
    now: datetime,
) -> None:
    store_id = None
    if customer_id is not None:
        store_id = await session.scalar(select(Customer.store_id).where(Customer.id == customer_id))
    if store_id is None and guide_userid:
        store_id = await session.scalar(
            select(Staff.store_id).where(Staff.wecom_userid == guide_userid)
        )
    session.add(
        ContactLoss(
            customer_id=customer_id,
            store_id=store_id,
            guide_userid=guide_userid,
            change_type=change_type[:32],
            at=now,
        )
    )
    await session.flush()


def _loss_rows(*extra: Any) -> Select:
    """Contact losses with what the manager reads: (change_type, at, customer name, phone,
    guide name, last inbound, customer id, *extra)."""
    return (
        select(
            ContactLoss.change_type,
            ContactLoss.at,
            Customer.name,
            Customer.phone,
            Staff.name,
            Customer.last_inbound_at,
            Customer.id,
            *extra,
        )
        .outerjoin(Customer, Customer.id == ContactLoss.customer_id)
        .outerjoin(Staff, Staff.wecom_userid == ContactLoss.guide_userid)
    )


async def losses(session: AsyncSession, store_id: int, start: datetime, end: datetime) -> list[Any]:
    """(change_type, at, customer name, phone, guide name, last inbound) in [start, end)."""
    rows = await session.execute(
        _loss_rows()
        .where(ContactLoss.store_id == store_id, ContactLoss.at >= start, ContactLoss.at < end)
        .order_by(ContactLoss.at)
    )
    return list(rows.all())


async def losses_by_guide(session: AsyncSession, since: datetime) -> list[Any]:
    """(guide userid, local-agnostic UTC day, count) since ``since`` for the admin."""
    from sqlalchemy import func

    rows = await session.execute(
        select(ContactLoss.guide_userid, ContactLoss.change_type, func.count())
        .where(ContactLoss.at >= since)
        .group_by(ContactLoss.guide_userid, ContactLoss.change_type)
        .order_by(ContactLoss.guide_userid)
    )
    return list(rows.all())


async def loss_times(session: AsyncSession, since: datetime) -> list[tuple[datetime, str | None]]:
    """(when, guide userid) of each loss since ``since`` (bucketed by local week by the
    caller, whose time zone SQL does not know)."""
    rows = await session.execute(
        select(ContactLoss.at, ContactLoss.guide_userid).where(ContactLoss.at >= since)
    )
    return [(at, guide) for at, guide in rows.all()]


async def managers(session: AsyncSession, store_id: int | None = None) -> list[str]:
    q = select(Staff.wecom_userid).where(Staff.active.is_(True), Staff.role == "manager")
    if store_id is not None:
        q = q.where(Staff.store_id == store_id)
    return list(await session.scalars(q.order_by(Staff.id)))


async def last_loss(session: AsyncSession) -> Any:
    """The most recent loss with what the digest shows: (change_type, at, name, phone,
    guide name, last inbound, customer id, store id)."""
    row = await session.execute(
        _loss_rows(ContactLoss.store_id).order_by(ContactLoss.id.desc()).limit(1)
    )
    return row.first()
