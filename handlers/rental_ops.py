"""What happens to a rental outside the new-rental conversation: the pick-up visit (退租),
ending a contract (chat pick-up done, CLI, admin), the inspection that puts the unit back in
stock, free repairs of a rented unit, and a rentable trade-in becoming stock.

Every function works inside the caller's transaction (the caller commits).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Services
from bot.dialog import extractors as ex
from bot.dialog.forms import Turn
from handlers.common import customer_label, tell_customer, tell_staff
from handlers.money import yuan
from storage.models import Customer, RentalContract, RentalUnit, ServiceTicket
from storage.repos import rentals, tickets


def _label(u: RentalUnit) -> str:
    return f"{u.brand or ''}{u.category}"


async def book_pickup(
    turn: Turn,
    c: RentalContract,
    u: RentalUnit,
    window: dict[str, Any],
    address: str,
    phone: str,
) -> ServiceTicket:
    """退租 in chat: a pick-up ticket; the contract is ``ending`` until it is done."""
    ticket, created = await tickets.create(
        turn.db,
        kind="pickup",
        customer_id=c.customer_id,
        local_day=turn.local_now.date(),
        now=turn.now,
        source_key=turn.source_key,
        device_id=c.device_id,
        category=u.category,
        brand=u.brand,
        model=u.model,
        symptom=f"退租取回（合同{c.id}，编号{u.code}）",
        address=address,
        phone=phone,
        window_start=datetime.fromisoformat(window["start"]),
        window_end=datetime.fromisoformat(window["end"]),
        store_id=u.store_id,
    )
    if created:
        c.status = "ending"
        await rentals.link_ticket(turn.db, ticket.id, c.id, "pickup")
        await tell_staff(
            turn.db,
            turn.customer,
            f"【退租取回】{ticket.number}（合同{c.id}）\n"
            f"客户：{customer_label(turn.customer)} {phone}\n机器：{_label(u)} 编号{u.code}\n"
            f"地址：{address}\n时间：{ex.show_window(window, turn.tz)}\n"
            f"取回后验机，退押金{yuan(c.deposit_fen)}",
            idem_key=f"rental-pickup:{c.id}",
            payload={"ticket": ticket.number, "contract": c.id},
        )
    return ticket


async def end_contract(
    services: Services, db: AsyncSession, c: RentalContract, actor: str
) -> ServiceTicket | None:
    """End ``c`` now: the unit waits for an inspection ticket; the customer is told once.
    None when it had ended already."""
    if c.status == "ended":
        return None
    now = services.clock.now()
    today = services.clock.local_now().date()
    await rentals.end(db, c, now, today)
    u = await rentals.unit(db, c.unit_id)
    assert u is not None
    ticket, _ = await tickets.create(
        db,
        kind="inspection",
        customer_id=c.customer_id,
        local_day=today,
        now=now,
        source_key=f"rental-inspection:{c.id}",
        actor=actor,
        category=u.category,
        brand=u.brand,
        model=u.model,
        symptom=f"退租验机（合同{c.id}，编号{u.code}）",
        store_id=u.store_id,
    )
    await rentals.link_ticket(db, ticket.id, c.id, "inspection")
    await tell_customer(
        db,
        c.customer_id,
        f"您租的{_label(u)}已退租（合同{c.id}），押金{yuan(c.deposit_fen)}验机后原路退还。"
        "感谢您的使用，有需要随时找我们～",
        kind="service",
        idem_key=f"rental-ended:{c.id}",
    )
    return ticket


async def on_ticket_moved(
    services: Services, db: AsyncSession, ticket: ServiceTicket, status: str
) -> bool:
    """Called by ``move_ticket``: a pick-up done ends the contract; an inspection done puts the
    unit back in stock. True for an internal visit (inspection): the customer is not told."""
    link = await rentals.ticket_link(db, ticket.id)
    if link is None:
        return False
    if link.purpose == "pickup" and status == "done":
        c = await rentals.contract(db, link.contract_id)
        if c is not None:
            await end_contract(services, db, c, actor="pickup")
    if link.purpose == "inspection":
        if status == "done":
            c = await rentals.contract(db, link.contract_id)
            if c is not None:
                await rentals.set_unit_state(db, c.unit_id, "in_stock", services.clock.now())
        return True
    return False


async def flag_repair(db: AsyncSession, ticket: ServiceTicket) -> RentalContract | None:
    """A repair of a rented unit: flagged as rental (free). The contract, or None."""
    if ticket.device_id is None:
        return None
    c = await rentals.live_for_device(db, ticket.device_id)
    if c is None:
        return None
    await rentals.link_ticket(db, ticket.id, c.id, "repair")
    return c


async def unit_from_trade_in(
    db: AsyncSession,
    number: str,
    *,
    grade: str,
    monthly_fee_fen: int,
    deposit_fen: int,
    residual_fen: int = 0,
    store_id: int | None = None,
) -> RentalUnit:
    """A trade-in's old unit, graded rentable (A/B), becomes stock. Raises LookupError /
    ValueError with a short reason."""
    req = await rentals.trade_in(db, number)
    if req is None:
        raise LookupError(f"no trade-in request {number}")
    if grade not in ("A", "B"):
        raise ValueError(f"grade {grade}: only A and B are rentable")
    if await rentals.unit_for_trade_in(db, req.id) is not None:
        raise ValueError(f"{number} is stock already")
    if store_id is None:
        customer = await db.get(Customer, req.customer_id)
        store_id = customer.store_id if customer else None
    if store_id is None:
        raise ValueError("which store holds it? (--store)")
    return await rentals.add_unit(
        db,
        code=f"TI-{number}"[:32],
        store_id=store_id,
        category=req.old_category,
        brand=req.old_brand,
        grade=grade,
        state="in_stock",
        monthly_fee_fen=monthly_fee_fen,
        deposit_fen=deposit_fen,
        residual_fen=residual_fen,
        source="trade_in",
        trade_in_id=req.id,
    )
