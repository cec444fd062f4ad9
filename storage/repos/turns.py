"""Dialog turns' reads in one statement: who is writing, whether a person is talking with
them (a live hand-off keeps the bot quiet), and the conversation's stored state row — for
every turn of a batch (bot/dialog/batch.py) at once.

The common case of every message from a known customer; first contact and unionid linking
go through ``identities.customer_for`` instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ChannelIdentity, ConversationSession, Customer, Handoff
from storage.repos import handoffs
from storage.repos.sessions import Stored

_QUIET = (
    select(Handoff.id)
    .where(Handoff.customer_id == Customer.id, handoffs.keeps_quiet(bindparam("now")))
    .exists()
)


@dataclass
class TurnRows:
    customer: Customer
    session_row: Stored | None  # None: no stored conversation
    quiet: bool  # a live hand-off: the bot says nothing


# Built once: a batch only binds its values (statement construction costs more than
# SQLite). Each identity's session row joins on its user key, "<channel>:<external id>"
# (bot.messages.Inbound.user_key).
_MANY = (
    select(
        Customer,
        ChannelIdentity.external_id,
        ConversationSession.state,
        ConversationSession.expires_at,
        _QUIET.label("quiet"),
    )
    .join(ChannelIdentity, ChannelIdentity.customer_id == Customer.id)
    .outerjoin(
        ConversationSession,
        ConversationSession.user_key
        == ChannelIdentity.channel + literal(":") + ChannelIdentity.external_id,
    )
    .where(
        ChannelIdentity.channel == bindparam("channel"),
        ChannelIdentity.account == bindparam("account"),
        ChannelIdentity.external_id.in_(bindparam("external_ids", expanding=True)),
    )
)


async def load_many(
    session: AsyncSession, *, channel: str, account: str, external_ids: list[str], now: datetime
) -> dict[str, TurnRows]:
    """The turn rows of these identities of one channel and account, by external id; the
    ones not known yet are missing from the answer."""
    result = await session.execute(
        _MANY,
        {"channel": channel, "account": account, "external_ids": external_ids, "now": now},
    )
    # the state is a column, not an object: a fresh dict per read, nothing to copy
    return {
        ext: TurnRows(
            customer=customer,
            session_row=Stored(state, expires) if expires is not None else None,
            quiet=bool(quiet),
        )
        for customer, ext, state, expires, quiet in result
    }
