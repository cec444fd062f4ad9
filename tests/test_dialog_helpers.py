"""Helpers for transcript tests (no tests here): say something, seed rows, move the clock.

from test_dialog_helpers import say, seed_customer, seed_device, seed_staff, rows, advance
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.context import Services
from bot.dialog import respond
from bot.messages import Inbound, Reply
from storage.models import ChannelIdentity, Customer, Device, Staff, Store


def inbound(services: Services, text: str = "", user: str = "u1", **kw: Any) -> Inbound:
    return Inbound(
        channel="mp",
        account=services.settings.mp.app_id,
        user_id=user,
        kind=kw.pop("kind", "text"),
        received_at=services.clock.now(),
        text=text,
        **kw,
    )


async def reply(services: Services, text: str = "", user: str = "u1", **kw: Any) -> Reply:
    return await respond(services, inbound(services, text, user, **kw))


async def say(services: Services, text: str = "", user: str = "u1", **kw: Any) -> str:
    """The bot's reply text to ``text`` from ``user``."""
    return (await reply(services, text, user, **kw)).text


async def seed_customer(services: Services, openid: str = "u1", **fields: Any) -> int:
    async with services.db.transaction() as s:
        c = Customer(**fields)
        s.add(c)
        await s.flush()
        s.add(
            ChannelIdentity(
                customer_id=c.id,
                channel="mp",
                account=services.settings.mp.app_id,
                external_id=openid,
            )
        )
        return c.id


async def seed_device(services: Services, customer_id: int, **fields: Any) -> int:
    async with services.db.transaction() as s:
        d = Device(customer_id=customer_id, **fields)
        s.add(d)
        await s.flush()
        return d.id


async def seed_staff(
    services: Services, userid: str = "G001", role: str = "guide", name: str = "王导购"
) -> int:
    async with services.db.transaction() as s:
        store = await s.scalar(select(Store).limit(1))
        if store is None:
            store = Store(code="S001", name="张江店", city="上海")
            s.add(store)
            await s.flush()
        st = Staff(store_id=store.id, name=name, role=role, wecom_userid=userid)
        s.add(st)
        await s.flush()
        return st.id


async def rows(services: Services, model: type, *where: Any) -> list[Any]:
    async with services.db.session() as s:
        q = select(model)
        for cond in where:
            q = q.where(cond)
        return list(await s.scalars(q.order_by(model.id if hasattr(model, "id") else None)))


def advance(services: Services, minutes: float) -> None:
    services.clock.freeze(services.clock.now() + timedelta(minutes=minutes))
