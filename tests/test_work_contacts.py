"""Customers added by guides: linking, the welcome message, removal and edits."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.demo import seed_demo
from storage.models import ChannelIdentity, Customer, InboundMessage, OutboxMessage, Staff, Store
from tests.test_work_kit import TS, client_for, contact_event, post


@pytest.fixture
async def client(services):
    await seed_demo(services)
    async with client_for(services) as c:
        yield c


def event(services, change: str, ext: str, **kw) -> str:
    return contact_event(change, corp=services.settings.work.corp_id, external_userid=ext, **kw)


async def work_identity(services, ext: str) -> ChannelIdentity | None:
    async with services.db.session() as s:
        return await s.scalar(select(ChannelIdentity).where(ChannelIdentity.external_id == ext))


async def test_two_customers_adding_a_guide_in_the_same_second_are_two(client, services):
    s = services.settings
    for ext, code in (("wmAAA", "WC-1"), ("wmBBB", "WC-2")):
        status, reply = await post(
            client,
            s,
            event(
                services,
                "add_external_contact",
                ext,
                userid="G003",
                state="store:S002",
                welcome_code=code,
            ),
        )
        assert (status, reply) == (200, {})
    async with services.db.session() as db:
        links = (
            await db.execute(
                select(ChannelIdentity, Customer)
                .join(Customer, Customer.id == ChannelIdentity.customer_id)
                .where(ChannelIdentity.channel == "work")
                .order_by(ChannelIdentity.id)
            )
        ).all()
        g3 = await db.scalar(select(Staff).where(Staff.wecom_userid == "G003"))
        s2 = await db.scalar(select(Store).where(Store.code == "S002"))
        welcomes = (
            await db.scalars(select(OutboxMessage).where(OutboxMessage.rule == "welcome"))
        ).all()
        inbound = await db.scalar(select(func.count()).select_from(InboundMessage))
    assert [i.external_id for i, _ in links] == ["wmAAA", "wmBBB"]
    assert links[0][1].id != links[1][1].id
    for ident, customer in links:
        assert ident.follow_user == "G003" and ident.active
        assert customer.store_id == s2.id and customer.guide_id == g3.id
    assert inbound == 2
    # the welcome went at once with its code, and the outbox keeps it
    assert [(w.recipient, w.payload["welcome_code"], w.status) for w in welcomes] == [
        ("wmAAA", "WC-1", "sent"),
        ("wmBBB", "WC-2", "sent"),
    ]
    assert "张强" in welcomes[0].text and "浦东店" in welcomes[0].text


async def test_a_retried_event_links_once(client, services):
    body = event(services, "add_external_contact", "wmCCC", userid="G001", welcome_code="WC-3")
    await post(client, services.settings, body, nonce="1")
    await post(client, services.settings, body, nonce="2")
    async with services.db.session() as db:
        n = await db.scalar(
            select(func.count())
            .select_from(ChannelIdentity)
            .where(ChannelIdentity.channel == "work")
        )
        w = await db.scalar(select(func.count()).select_from(OutboxMessage))
    assert (n, w) == (1, 1)


async def test_state_names_the_customer(client, services):
    async with services.db.session() as db:
        c = await db.scalar(select(Customer).where(Customer.phone == "13900210002"))
    body = event(services, "add_external_contact", "wmDDD", userid="G002", state=f"c:{c.id}")
    await post(client, services.settings, body)
    ident = await work_identity(services, "wmDDD")
    assert ident.customer_id == c.id and ident.follow_user == "G002"
    async with services.db.session() as db:
        # no WelcomeCode (the customer already chatted): nothing sent
        assert await db.scalar(select(func.count()).select_from(OutboxMessage)) == 0


async def test_removal_is_recorded_and_re_adding_restores(client, services):
    s = services.settings
    await post(client, s, event(services, "add_external_contact", "wmEEE", userid="G001"))
    await post(
        client, s, event(services, "del_follow_user", "wmEEE", userid="G001", create_time=TS + 5)
    )
    assert (await work_identity(services, "wmEEE")).active is False
    await post(
        client,
        s,
        event(services, "add_external_contact", "wmEEE", userid="G001", create_time=TS + 9),
    )
    assert (await work_identity(services, "wmEEE")).active is True
    await post(
        client,
        s,
        event(services, "del_external_contact", "wmEEE", userid="G001", create_time=TS + 20),
    )
    assert (await work_identity(services, "wmEEE")).active is False


async def test_edit_syncs_and_another_guides_removal_keeps_the_link(client, services):
    s = services.settings
    await post(client, s, event(services, "add_external_contact", "wmFFF", userid="G001"))
    await post(
        client,
        s,
        event(services, "del_external_contact", "wmFFF", userid="G002", create_time=TS + 1),
    )
    assert (await work_identity(services, "wmFFF")).active is True
    await post(
        client,
        s,
        event(services, "edit_external_contact", "wmFFF", userid="G001", create_time=TS + 2),
    )
    ident = await work_identity(services, "wmFFF")
    assert ident.active and ident.follow_user == "G001"
