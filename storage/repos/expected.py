"""The customers a batch of dialog turns is about (bot/dialog/engine.py names them).

A repo that reads something per customer and is asked on many turns (devices, the address
a booking form offers) reads it for all of them at the first ask, in one statement, and
for none when no turn asks.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

_KEY = "customers_expected"


def expect(session: AsyncSession, customer_ids: list[int]) -> None:
    """These customers may be asked about in this transaction (a batch of dialog turns)."""
    session.info[_KEY] = list(customer_ids)


def along_with(session: AsyncSession, customer_id: int) -> list[int]:
    """``customer_id`` and the other customers expected in this transaction, each once."""
    return list(dict.fromkeys([customer_id, *session.info.get(_KEY, ())]))
