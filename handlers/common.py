"""Helpers the handlers share: telling the store's staff, telling the customer."""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Customer, Staff
from storage.repos import care as care_repo
from storage.repos import customers, identities, outbox, staff

log = logging.getLogger(__name__)
DELIVER_SOON = "deliver_soon"  # session.info key: outbox ids the dialog sends after its commit


async def tell_staff(
    db: AsyncSession,
    customer: Customer,
    text: str,
    *,
    idem_key: str | None = None,
    role: str | None = None,
    payload: dict | None = None,
    task: tuple[str, str] | None = None,
    today: date | None = None,
) -> Staff | None:
    """A WeCom app message (outbox ``work_app``, kind "notice") to the customer's guide or
    someone at their store. Returns who was told (None when there is no staff).

    With ``task=(kind, title)`` the same person also gets it on their 任务 list for
    ``today`` (something to do, not only to read: book the visit, call back), once per
    ``idem_key``."""
    person = await staff.contact_for(db, customer, role=role)
    if person is None:
        log.warning("no staff to tell about customer %s", customer.id)
        return None
    if task is not None and today is not None and idem_key:
        kind, title = task
        await care_repo.add_guide_task(
            db,
            guide_userid=person.wecom_userid,
            customer_id=customer.id,
            kind=kind,
            title=title,
            text=None,
            due_on=today,
            idem_key=f"task:{idem_key}",
        )
    await notify_colleague(
        db, person.wecom_userid, text, customer_id=customer.id, idem_key=idem_key, payload=payload
    )
    return person


async def notify_colleague(
    db: AsyncSession,
    userid: str,
    text: str,
    *,
    customer_id: int | None,
    idem_key: str | None,
    payload: dict | None = None,
) -> None:
    """A WeCom app notice (outbox ``work_app``, kind "notice") to one colleague, sent right
    after the commit rather than at the dispatcher's next tick."""
    row = await outbox.enqueue(
        db,
        channel="work_app",
        recipient=userid,
        text=text,
        kind="notice",
        customer_id=customer_id,
        idem_key=idem_key,
        payload=payload,
    )
    if row is not None:
        db.info.setdefault(DELIVER_SOON, []).append(row.id)


async def tell_customer(
    db: AsyncSession,
    customer_id: int,
    text: str,
    *,
    kind: str = "service",
    idem_key: str | None = None,
    rule: str | None = None,
) -> bool:
    """A customer-service message (outbox ``mp_kf``) to the customer's Official Account openid.
    False when they have none."""
    openid = await identities.openid_of(db, customer_id)
    if openid is None:
        return False
    await outbox.enqueue(
        db,
        channel="mp_kf",
        recipient=openid,
        text=text,
        kind=kind,
        customer_id=customer_id,
        idem_key=idem_key,
        rule=rule,
    )
    return True


def customer_label(customer: Customer) -> str:
    """How staff messages name a customer: the name and the phone's last four digits, so a
    guide can tell two 张伟 apart and find a newcomer who left only a phone number."""
    tail = f"尾号{customer.phone[-4:]}" if customer.phone and len(customer.phone) >= 4 else ""
    if customer.name:
        return f"{customer.name}（{tail}）" if tail else customer.name
    return f"新顾客（{tail}）" if tail else f"新顾客（编号{customer.id}）"


async def remember_contact(db: AsyncSession, customer: Customer, phone: str, address: str) -> None:
    """Keep a booking's phone and address on the customer when they had none (a phone only
    if no other customer has it)."""
    if not customer.address:
        customer.address = address
    if not customer.phone and await customers.by_phone(db, phone) is None:
        customer.phone = phone
    await db.flush()
