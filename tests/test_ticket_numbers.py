"""Ticket numbers on PostgreSQL: concurrent bookings in open transactions (two web
processes, two batch workers) take the day's numbers without waiting for each other, a
rolled-back booking leaves a gap and never a duplicate, and numbers taken before the
counter existed are followed (storage/repos/numbers.py)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from storage.db import Database
from storage.models import Customer, ServiceTicket
from storage.repos import tickets
from tests.conftest import opened

DAY = date(2026, 12, 4)
NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)

pytestmark = pytest.mark.postgres


async def _customer(db: Database) -> int:
    async with db.transaction() as s:
        c = Customer(source="mp")
        s.add(c)
        await s.flush()
        return c.id


async def _book(s, cid: int, key: str) -> str:
    t, _ = await tickets.create(
        s, kind="repair", customer_id=cid, local_day=DAY, now=NOW, source_key=key
    )
    return t.number


async def test_a_booking_does_not_wait_for_another_transaction_still_open(pg_url):
    async with opened(pg_url) as db:
        cid = await _customer(db)
        async with db.transaction() as first:
            one = await _book(first, cid, "k1")  # not committed yet
            async with db.transaction() as second:
                # before: the same number, and this insert waited for ``first`` to commit
                two = await asyncio.wait_for(_book(second, cid, "k2"), timeout=5)
        assert (one, two) == ("R20261204-0001", "R20261204-0002")

        with pytest.raises(RuntimeError):  # a booking rolled back: its number is not reused
            async with db.transaction() as s:
                await _book(s, cid, "k3")
                raise RuntimeError("rolled back")
        async with db.transaction() as s:
            assert await _book(s, cid, "k4") == "R20261204-0004"
        async with db.session() as s:
            numbers = sorted(await s.scalars(select(ServiceTicket.number)))
        assert numbers == ["R20261204-0001", "R20261204-0002", "R20261204-0004"]


async def test_numbers_taken_before_the_counter_are_followed(pg_url):
    async with opened(pg_url) as db:
        cid = await _customer(db)
        async with db.transaction() as s:  # written by an import, say: no counter row
            s.add(
                ServiceTicket(
                    number="R20261204-0041",
                    kind="repair",
                    customer_id=cid,
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
        async with db.transaction() as s:
            assert await _book(s, cid, "k1") == "R20261204-0042"
