"""Dialog turns' reads in one statement: who is writing, whether a person is talking with
them (a live hand-off keeps the bot quiet), and the conversation's stored state row — for
every turn of a batch (bot/dialog/batch.py) at once.

The common case of every message from a known customer; first contact and unionid linking
go through ``identities.customer_for`` instead. Every message runs this statement, so it
runs on the driver's connection (storage/driver.py), and the writer comes back as a
:class:`Person`, the row as read: most turns (a greeting, thanks, a price) read a name or
an id and nothing else. A handler that needs the ORM object (to change it, or to hand it
on) gets it from :meth:`Person.customer`, made from the row without another query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import instance_dict

from storage.driver import driver, placeholders
from storage.models import Customer
from storage.repos.sessions import Stored

_MAPPER = inspect(Customer)
_COLUMNS = [c.key for c in Customer.__table__.columns]
_INDEX = {name: i for i, name in enumerate(_COLUMNS)}

# Each identity's session row joins on its user key, "<channel>:<external id>"
# (bot.messages.Inbound.user_key); "quiet" is storage.repos.handoffs.keeps_quiet.
_MANY = (
    "SELECT ci.external_id, s.state, s.expires_at,"
    " EXISTS (SELECT 1 FROM handoffs h WHERE h.customer_id = c.id AND h.status = 'open'"
    " AND h.quiet_until IS NOT NULL AND h.quiet_until > ?),"
    + ", ".join(f" c.{name}" for name in _COLUMNS)
    + " FROM channel_identities ci JOIN customers c ON c.id = ci.customer_id"
    " LEFT JOIN conversation_sessions s ON s.user_key = ci.channel || ':' || ci.external_id"
    " WHERE ci.channel = ? AND ci.account = ? AND ci.external_id IN ({})"
)
_LEAD = 4  # columns before the customer's


class Person:
    """A customer's row as read for a turn: its id and plain text fields straight away,
    the ORM :class:`Customer` (every column, typed) on demand."""

    __slots__ = ("_row", "_dialect")

    def __init__(self, row: tuple, dialect: Any) -> None:
        self._row = row  # the customer's columns, as the driver gave them
        self._dialect = dialect

    id = property(lambda self: self._row[_INDEX["id"]])
    name = property(lambda self: self._row[_INDEX["name"]])
    phone = property(lambda self: self._row[_INDEX["phone"]])
    address = property(lambda self: self._row[_INDEX["address"]])
    store_id = property(lambda self: self._row[_INDEX["store_id"]])
    guide_id = property(lambda self: self._row[_INDEX["guide_id"]])

    def customer(self, session: AsyncSession) -> Customer:
        """The ORM customer in ``session``: the one it holds already, else one made from
        this row (no query), persistent there, so changes to it are written at commit."""
        sync = session.sync_session
        key = _MAPPER.identity_key_from_primary_key((self.id,))
        held = sync.identity_map.get(key)
        if held is not None:
            return held
        customer = _MAPPER.class_manager.new_instance()
        convert = _processors(self._dialect)
        instance_dict(customer).update(
            (name, f(value) if (f := convert[i]) is not None else value)
            for i, (name, value) in enumerate(zip(_COLUMNS, self._row, strict=True))
        )
        make_transient_to_detached(customer)  # loaded as it is stored: no change to write
        sync.add(customer)
        return customer


_converters: dict[str, list[Any]] = {}


def _processors(dialect: Any) -> list[Any]:
    """Per customer column, the function SQLAlchemy reads a driver's value with (or None)."""
    found = _converters.get(dialect.name)
    if found is None:
        found = _converters[dialect.name] = [
            c.type.dialect_impl(dialect).result_processor(dialect, None)
            for c in Customer.__table__.columns
        ]
    return found


@dataclass
class TurnRows:
    person: Person
    session_row: Stored | None  # None: no stored conversation
    quiet: bool  # a live hand-off: the bot says nothing


async def load_many(
    session: AsyncSession, *, channel: str, account: str, external_ids: list[str], now: datetime
) -> dict[str, TurnRows]:
    """The turn rows of these identities of one channel and account, by external id; the
    ones not known yet are missing from the answer."""
    if not external_ids:
        return {}
    db = await driver(session)
    rows = await db.fetch(
        _MANY.format(placeholders(len(external_ids))),
        [db.time(now), channel, account, *external_ids],
    )
    dialect = session.get_bind().dialect
    # the state is a column, not an object: a fresh dict per read, nothing to copy
    return {
        row[0]: TurnRows(
            person=Person(row[_LEAD:], dialect),
            session_row=Stored.read(db, row[1], row[2]) if row[2] is not None else None,
            quiet=bool(row[3]),
        )
        for row in rows
    }
