"""Fakes and small helpers for tests: ``FakeWeChat`` (WeChat + WeCom APIs on 127.0.0.1) and
``seed_customer`` (a customer with an openid and a guide, through the models)."""

from __future__ import annotations

from datetime import datetime

from bot.context import Services
from tests.fakes.wechat_api import Call, FakeWeChat

__all__ = ["Call", "FakeWeChat", "seed_customer"]


async def seed_customer(
    services: Services,
    *,
    name: str = "王女士",
    openid: str | None = "openid-1",
    guide_userid: str | None = "G001",
    last_inbound_at: datetime | None = None,
    **fields,
) -> int:
    """A customer (with an MP openid and a guide at store S1 when given); returns the id."""
    from sqlalchemy import select

    from storage.models import ChannelIdentity, Customer, Staff, Store

    async with services.db.transaction() as s:
        store = await s.scalar(select(Store).where(Store.code == "S1"))
        if store is None:
            store = Store(code="S1", name="徐汇店", city="上海")
            s.add(store)
            await s.flush()
        guide_id = None
        if guide_userid:
            guide = await s.scalar(select(Staff).where(Staff.wecom_userid == guide_userid))
            if guide is None:
                guide = Staff(store_id=store.id, name="小李", wecom_userid=guide_userid)
                s.add(guide)
                await s.flush()
            guide_id = guide.id
        c = Customer(
            name=name,
            store_id=store.id,
            guide_id=guide_id,
            last_inbound_at=last_inbound_at,
            **fields,
        )
        s.add(c)
        await s.flush()
        if openid:
            s.add(
                ChannelIdentity(
                    customer_id=c.id,
                    channel="mp",
                    account=services.settings.mp.app_id,
                    external_id=openid,
                )
            )
        return c.id
