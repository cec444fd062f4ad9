"""A dialog turn's reads in one statement: who is writing, whether a person is talking with
them (a live hand-off keeps the bot quiet), and the conversation's stored state row.

The common case of every message from a known customer; first contact and unionid linking
go through ``identities.customer_for`` instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ChannelIdentity, ConversationSession, Customer, Handoff

_QUIET = (
    select(Handoff.id)
    .where(
        Handoff.customer_id == Customer.id,
        Handoff.status == "open",
        Handoff.quiet_until.is_not(None),
        Handoff.quiet_until > bindparam("now"),
    )
    .exists()
)

# Built once: a turn only binds its values (statement construction costs more than SQLite).
_TURN = (
    select(Customer, ConversationSession, _QUIET.label("quiet"))
    .join(ChannelIdentity, ChannelIdentity.customer_id == Customer.id)
    .outerjoin(ConversationSession, ConversationSession.user_key == bindparam("user_key"))
    .where(
        ChannelIdentity.channel == bindparam("channel"),
        ChannelIdentity.account == bindparam("account"),
        ChannelIdentity.external_id == bindparam("external_id"),
    )
)


@dataclass
class TurnRows:
    customer: Customer
    session_row: ConversationSession | None  # None: no stored conversation
    quiet: bool  # a live hand-off: the bot says nothing


async def load(
    session: AsyncSession,
    *,
    channel: str,
    account: str,
    external_id: str,
    user_key: str,
    now: datetime,
) -> TurnRows | None:
    """The rows for a turn, or None when this identity is not known yet."""
    row = (
        await session.execute(
            _TURN,
            {
                "channel": channel,
                "account": account,
                "external_id": external_id,
                "user_key": user_key,
                "now": now,
            },
        )
    ).first()
    if row is None:
        return None
    return TurnRows(customer=row[0], session_row=row[1], quiet=bool(row[2]))
