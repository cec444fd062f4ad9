"""Rental queries: stock (units), contracts, their monthly dues, the visits that belong to a
rental, the care rules' selections and the admin's figures. The only SQL of the rental flow.

A unit is claimed with one conditional UPDATE (``state = 'in_stock'`` → ``'rented'``): of two
customers booking the last unit at the same moment exactly one gets it; the partial unique
index on live contracts per unit backs it up.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Integer, Select, String, case, cast, delete, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from storage.models import (
    Customer,
    Device,
    RentalContract,
    RentalDue,
    RentalTicket,
    RentalUnit,
    ServiceTicket,
    Store,
    TradeInRequest,
)
from storage.repos.care_sql import Sql
from storage.repos.upsert import inserted, update_changed

UNIT_STATES = ("in_stock", "rented", "inspecting", "retired")
LIVE = ("active", "ending")


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (31 Jan + 1 → 28/29 Feb)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# -- stock ----------------------------------------------------------------------------------


async def unit_by_code(session: AsyncSession, code: str) -> RentalUnit | None:
    return await session.scalar(select(RentalUnit).where(RentalUnit.code == code))


async def upsert_unit(session: AsyncSession, code: str, fields: dict[str, Any]) -> str:
    """Insert or update the unit with this code: "created", "updated" or "unchanged"."""
    unit = await unit_by_code(session, code)
    if unit is None:
        if await inserted(session, RentalUnit(code=code, **fields)):
            return "created"
        unit = await unit_by_code(session, code)
        assert unit is not None
    fields = {k: v for k, v in fields.items() if k != "state"}  # stock moves by the flow only
    return await update_changed(session, unit, fields)


async def units(
    session: AsyncSession, state: str | None = None, store_id: int | None = None
) -> list[tuple[RentalUnit, str]]:
    """Every unit with its store's name, by store then code."""
    q = select(RentalUnit, Store.name).join(Store, Store.id == RentalUnit.store_id)
    if state:
        q = q.where(RentalUnit.state == state)
    if store_id is not None:
        q = q.where(RentalUnit.store_id == store_id)
    return [(u, n) for u, n in (await session.execute(q.order_by(Store.id, RentalUnit.code)))]


async def offer(
    session: AsyncSession, category: str, store_ids: list[int] | None = None, limit: int = 3
) -> list[tuple[RentalUnit, str]]:
    """Units of ``category`` in stock (the given stores first), cheapest first."""
    q = (
        select(RentalUnit, Store.name)
        .join(Store, Store.id == RentalUnit.store_id)
        .where(RentalUnit.state == "in_stock", RentalUnit.category == category)
    )
    near = (
        case((RentalUnit.store_id.in_(store_ids), 0), else_=1) if store_ids else literal(0, Integer)
    )
    q = q.order_by(near, RentalUnit.grade, RentalUnit.monthly_fee_fen, RentalUnit.id).limit(limit)
    return [(u, n) for u, n in (await session.execute(q))]


async def stores_near(session: AsyncSession, district: str) -> list[int]:
    """Stores whose address or city names the district (e.g. 浦东)."""
    key = district.rstrip("区县市") or district
    pattern = f"%{key}%"
    return list(
        await session.scalars(
            select(Store.id).where((Store.address.like(pattern)) | (Store.city.like(pattern)))
        )
    )


async def stocked_categories(session: AsyncSession) -> list[str]:
    return list(
        await session.scalars(
            select(RentalUnit.category)
            .where(RentalUnit.state == "in_stock")
            .group_by(RentalUnit.category)
            .order_by(func.count().desc(), RentalUnit.category)
        )
    )


async def claim(session: AsyncSession, unit_id: int, now: datetime) -> bool:
    """Take the unit out of stock; False when someone else got it first."""
    result = await session.execute(
        update(RentalUnit)
        .where(RentalUnit.id == unit_id, RentalUnit.state == "in_stock")
        .values(state="rented", updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def set_unit_state(session: AsyncSession, unit_id: int, state: str, now: datetime) -> None:
    await session.execute(
        update(RentalUnit)
        .where(RentalUnit.id == unit_id)
        .values(state=state, updated_at=now)
        .execution_options(synchronize_session=False)
    )


async def unit(session: AsyncSession, unit_id: int) -> RentalUnit | None:
    return await session.get(RentalUnit, unit_id, populate_existing=True)


async def trade_in(session: AsyncSession, number: str) -> TradeInRequest | None:
    return await session.scalar(select(TradeInRequest).where(TradeInRequest.number == number))


async def unit_for_trade_in(session: AsyncSession, trade_in_id: int) -> RentalUnit | None:
    return await session.scalar(select(RentalUnit).where(RentalUnit.trade_in_id == trade_in_id))


async def add_unit(session: AsyncSession, **fields: Any) -> RentalUnit:
    row = RentalUnit(**fields)
    session.add(row)
    await session.flush()
    return row


# -- contracts ------------------------------------------------------------------------------


async def contract(session: AsyncSession, contract_id: int) -> RentalContract | None:
    return await session.get(RentalContract, contract_id, populate_existing=True)


async def contract_by_source_key(session: AsyncSession, key: str) -> RentalContract | None:
    return await session.scalar(select(RentalContract).where(RentalContract.source_key == key))


async def create_contract(
    session: AsyncSession,
    *,
    customer_id: int,
    unit: RentalUnit,
    start_on: date,
    months: int,
    now: datetime,
    source_key: str | None,
    device_id: int | None = None,
) -> RentalContract:
    """The contract and its monthly dues (seq 0 paid at delivery)."""
    row = RentalContract(
        customer_id=customer_id,
        unit_id=unit.id,
        store_id=unit.store_id,
        device_id=device_id,
        start_on=start_on,
        end_on=add_months(start_on, months),
        months=months,
        monthly_fee_fen=unit.monthly_fee_fen,
        deposit_fen=unit.deposit_fen,
        residual_fen=unit.residual_fen,
        status="active",
        source_key=source_key,
        created_at=now,
    )
    session.add(row)
    await session.flush()
    _add_dues(session, row, 0, months)
    await session.flush()
    return row


def _add_dues(session: AsyncSession, c: RentalContract, first: int, last: int) -> None:
    for seq in range(first, last):
        session.add(
            RentalDue(
                contract_id=c.id,
                seq=seq,
                due_on=add_months(c.start_on, seq),
                amount_fen=c.monthly_fee_fen,
            )
        )


async def renew(session: AsyncSession, c: RentalContract, months: int) -> RentalContract:
    """``months`` more: a later end and the dues for them."""
    _add_dues(session, c, c.months, c.months + months)
    c.months += months
    c.end_on = add_months(c.start_on, c.months)
    await session.flush()
    return c


async def live_for_customer(session: AsyncSession, customer_id: int) -> list[RentalContract]:
    return list(
        await session.scalars(
            select(RentalContract)
            .where(RentalContract.customer_id == customer_id, RentalContract.status.in_(LIVE))
            .order_by(RentalContract.id)
        )
    )


async def live_for_device(session: AsyncSession, device_id: int) -> RentalContract | None:
    return await session.scalar(
        select(RentalContract).where(
            RentalContract.device_id == device_id, RentalContract.status.in_(LIVE)
        )
    )


@dataclass
class ContractRow:
    contract: RentalContract
    unit: RentalUnit
    openid: str | None


async def contracts(
    session: AsyncSession,
    status: str | None = None,
    ending_in: tuple[date, date] | None = None,
    store_id: int | None = None,
) -> list[ContractRow]:
    """Contracts with their unit and the customer's first openid, by id."""
    from storage.models import ChannelIdentity

    openid = (
        select(func.min(ChannelIdentity.external_id))
        .where(
            ChannelIdentity.customer_id == RentalContract.customer_id,
            ChannelIdentity.channel == "mp",
        )
        .scalar_subquery()
    )
    q = select(RentalContract, RentalUnit, openid).join(
        RentalUnit, RentalUnit.id == RentalContract.unit_id
    )
    if status:
        q = q.where(RentalContract.status == status)
    if ending_in:
        q = q.where(RentalContract.end_on >= ending_in[0], RentalContract.end_on < ending_in[1])
    if store_id is not None:
        q = q.where(RentalContract.store_id == store_id)
    rows = await session.execute(q.order_by(RentalContract.id))
    return [ContractRow(c, u, o) for c, u, o in rows]


async def end(session: AsyncSession, c: RentalContract, now: datetime, today: date) -> None:
    """The contract ends; its unit waits for the inspection; the customer's row is retired;
    the rent not yet due is dropped."""
    c.status = "ended"
    c.ended_at = now
    await session.execute(
        delete(RentalDue).where(RentalDue.contract_id == c.id, RentalDue.due_on > today)
    )
    await set_unit_state(session, c.unit_id, "inspecting", now)
    if c.device_id is not None:
        await session.execute(
            update(Device)
            .where(Device.id == c.device_id)
            .values(retired=True)
            .execution_options(synchronize_session=False)
        )
        session.info.pop("devices_of", None)
    await session.flush()


# -- visits that belong to a rental -----------------------------------------------------------


async def link_ticket(
    session: AsyncSession, ticket_id: int, contract_id: int, purpose: str
) -> bool:
    return await inserted(
        session, RentalTicket(ticket_id=ticket_id, contract_id=contract_id, purpose=purpose)
    )


async def ticket_link(session: AsyncSession, ticket_id: int) -> RentalTicket | None:
    return await session.scalar(select(RentalTicket).where(RentalTicket.ticket_id == ticket_id))


async def tickets_of(session: AsyncSession, contract_id: int) -> list[tuple[RentalTicket, str]]:
    rows = await session.execute(
        select(RentalTicket, ServiceTicket.number)
        .join(ServiceTicket, ServiceTicket.id == RentalTicket.ticket_id)
        .where(RentalTicket.contract_id == contract_id)
        .order_by(RentalTicket.id)
    )
    return [(t, n) for t, n in rows]


# -- care: what the reminders select (customer_id, occ, text) ---------------------------------

Render = Callable[[dict[str, ColumnElement]], ColumnElement]


def _yuan(sql: Sql, fen: ColumnElement) -> ColumnElement:
    """¥199 or ¥199.50, in SQL."""
    whole = sql.text(cast(fen / 100, Integer))
    cents = fen % 100
    tail = case(
        (cents == 0, literal("", String)), else_="." + func.substr(sql.text(100 + cents), 2)
    )
    return "¥" + whole + tail


def _fields(sql: Sql) -> dict[str, ColumnElement]:
    c, u, k = Customer, RentalUnit, RentalContract
    return {
        "name": c.name,
        "category": u.category,
        "brand": u.brand,
        "fee": _yuan(sql, k.monthly_fee_fen),
        "end_date": sql.cn_date(k.end_on),
        "residual": _yuan(sql, k.residual_fen),
    }


def due_reminders(sql: Sql, day: date, lead_days: int, render: Render) -> Select:
    """The dues of live contracts falling due ``lead_days`` after ``day`` (not the first month,
    paid at delivery). ``occ`` is the due's id: one reminder per due, ever."""
    d, k = RentalDue, RentalContract
    fields = _fields(sql) | {"due_date": sql.cn_date(d.due_on), "amount": _yuan(sql, d.amount_fen)}
    return (
        select(
            k.customer_id.label("customer_id"),
            (literal("due:", String) + sql.text(d.id)).label("occ"),
            render(fields).label("text"),
        )
        .select_from(d)
        .join(k, k.id == d.contract_id)
        .join(RentalUnit, RentalUnit.id == k.unit_id)
        .join(Customer, Customer.id == k.customer_id)
        .where(
            k.status == "active",
            d.seq > 0,
            d.due_on == sql.add_days(sql.day(day), lead_days),
        )
    )


def end_reminders(sql: Sql, day: date, lead_days: int, render: Render) -> Select:
    """Active contracts ending ``lead_days`` after ``day``; ``occ`` names the contract and its
    end, so a renewed contract is reminded again before its new end, never twice for one."""
    k = RentalContract
    return (
        select(
            k.customer_id.label("customer_id"),
            (literal("end:", String) + sql.text(k.id) + ":" + sql.text(k.end_on)).label("occ"),
            render(_fields(sql)).label("text"),
        )
        .select_from(k)
        .join(RentalUnit, RentalUnit.id == k.unit_id)
        .join(Customer, Customer.id == k.customer_id)
        .where(k.status == "active", k.end_on == sql.add_days(sql.day(day), lead_days))
    )


# -- the admin's figures ----------------------------------------------------------------------


async def units_by_state(session: AsyncSession, store_id: int | None = None) -> dict[str, int]:
    q = select(RentalUnit.state, func.count()).group_by(RentalUnit.state)
    if store_id is not None:
        q = q.where(RentalUnit.store_id == store_id)
    rows = await session.execute(q)
    return {s: n for s, n in rows}


async def income_by_month(
    session: AsyncSession, first: date, last: date, store_id: int | None = None
) -> dict[str, int]:
    """Rent falling due per month (YYYY-MM → fen) for months in [first, last]."""
    q = (
        select(RentalDue.due_on, RentalDue.amount_fen)
        .join(RentalContract, RentalContract.id == RentalDue.contract_id)
        .where(RentalDue.due_on >= first, RentalDue.due_on <= last)
    )
    if store_id is not None:
        q = q.where(RentalContract.store_id == store_id)
    rows = await session.execute(q)
    out: dict[str, int] = {}
    for due_on, amount in rows:
        key = f"{due_on:%Y-%m}"
        out[key] = out.get(key, 0) + amount
    return out
