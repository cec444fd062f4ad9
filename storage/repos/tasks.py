"""Guide tasks (导购任务): today's list, numbered the same way all day, and closing them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Customer, GuideTask, Handoff, SalesLead, ServiceTicket, Staff
from storage.repos.tickets import OPEN_STATUSES


async def today_list(
    session: AsyncSession, guide_id: int, today: date, day_start: datetime
) -> list[GuideTask]:
    """Open tasks due today or earlier, plus those closed since ``day_start`` (so a task's
    number stays the same all day). Ordered by due day, then id."""
    q = (
        select(GuideTask)
        .where(
            GuideTask.guide_id == guide_id,
            GuideTask.due_on <= today,
            or_(
                GuideTask.status == "open",
                and_(GuideTask.closed_at.is_not(None), GuideTask.closed_at >= day_start),
            ),
        )
        .order_by(GuideTask.due_on, GuideTask.id)
    )
    return list(await session.scalars(q))


async def close(session: AsyncSession, task: GuideTask, status: str, now: datetime) -> None:
    task.status = status
    task.closed_at = now
    await session.flush()


async def closed_between(
    session: AsyncSession, guide_id: int, start: datetime, end: datetime
) -> dict[str, int]:
    """{status: count} of the guide's tasks closed in [start, end)."""
    rows = await session.execute(
        select(GuideTask.status, func.count())
        .where(
            GuideTask.guide_id == guide_id,
            GuideTask.closed_at >= start,
            GuideTask.closed_at < end,
        )
        .group_by(GuideTask.status)
    )
    return {status: n for status, n in rows.all()}


async def open_complaints(
    session: AsyncSession, guide_id: int, store_id: int
) -> list[tuple[Handoff, Customer]]:
    """Open complaints / requests for a person from the guide's own customers."""
    rows = await session.execute(
        select(Handoff, Customer)
        .join(Customer, Customer.id == Handoff.customer_id)
        .where(
            Handoff.status == "open",
            Customer.store_id == store_id,
            or_(Customer.guide_id == guide_id, Customer.guide_id.is_(None)),
        )
        .order_by(Handoff.id)
    )
    return [(h, c) for h, c in rows.all()]


async def leads_between(
    session: AsyncSession, guide_id: int, start: datetime, end: datetime
) -> dict[str, int]:
    """Leads the guide logged in [start, end) and leads won in that time."""
    logged = await session.scalar(
        select(func.count()).where(
            SalesLead.guide_id == guide_id,
            SalesLead.created_at >= start,
            SalesLead.created_at < end,
        )
    )
    won = await session.scalar(
        select(func.count()).where(
            SalesLead.guide_id == guide_id,
            SalesLead.status == "won",
            SalesLead.updated_at >= start,
            SalesLead.updated_at < end,
        )
    )
    return {"logged": int(logged or 0), "won": int(won or 0)}


async def guide_userids(session: AsyncSession) -> list[str]:
    """WeCom userids of every active guide, in id order."""
    return list(
        await session.scalars(
            select(Staff.wecom_userid)
            .where(Staff.active.is_(True), Staff.role == "guide")
            .order_by(Staff.id)
        )
    )


async def engineer_tickets(
    session: AsyncSession, engineer_id: int, limit: int = 20
) -> list[ServiceTicket]:
    """Open tickets assigned to an engineer, by visit window."""
    return list(
        await session.scalars(
            select(ServiceTicket)
            .where(
                ServiceTicket.engineer_id == engineer_id, ServiceTicket.status.in_(OPEN_STATUSES)
            )
            .order_by(ServiceTicket.window_start, ServiceTicket.id)
            .limit(limit)
        )
    )
