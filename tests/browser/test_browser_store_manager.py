"""A store manager on a phone (issue 22): signs in with their own account, sees only their
store's tickets and customers, and reads what a customer wrote on the customer's page."""

from __future__ import annotations

import re

from sqlalchemy import select

from bot.web.passwords import hash_password
from storage.models import ChannelIdentity, Customer, Store
from storage.repos import admin_users

PASSWORD = "manager-pass-1"


async def _manager(services, code: str) -> int:
    async with services.db.transaction() as s:
        store = await s.scalar(select(Store).where(Store.code == code))
        await admin_users.add(
            s,
            username="zhang",
            password_hash=hash_password(PASSWORD),
            role="store_manager",
            store_id=store.id,
        )
        return store.id


async def test_a_store_manager_on_a_phone(context, live, shot, services):
    store_id = await _manager(services, "S001")
    async with services.db.session() as s:
        mine = await s.scalar(
            select(ChannelIdentity)
            .join(Customer, Customer.id == ChannelIdentity.customer_id)
            .where(Customer.store_id == store_id, ChannelIdentity.channel == "mp")
            .order_by(Customer.id)
        )
        other = await s.scalar(
            select(Customer).where(Customer.store_id != store_id).order_by(Customer.id)
        )
    page = await context.new_page()
    said = await page.request.post(
        live + "/playground/api/mp",
        data={"openid": mine.external_id, "text": "洗衣机脱水的时候响得厉害，周末能来吗"},
        headers={"X-Playground": "1"},
    )
    assert said.ok, await said.text()

    await page.set_viewport_size({"width": 390, "height": 844})
    await page.goto(live + "/admin/customers")
    await page.fill("input[name=username]", "zhang")
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(re.compile(r"/admin/customers$"))
    assert "（店长）" in await page.inner_text("header")
    listing = await page.inner_text("main")
    assert other.name not in listing
    await shot(page, "manager-390-customers")

    await page.goto(f"{live}/admin/customers/{mine.customer_id}")
    conversation = await page.inner_text("main")
    assert "顾客：洗衣机脱水的时候响得厉害，周末能来吗" in conversation
    assert "答：" in conversation
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the customer page scrolls sideways on a phone ({width}px)"
    await shot(page, "manager-390-conversation")

    resp = await page.goto(f"{live}/admin/customers/{other.id}")
    assert resp is not None and resp.status == 404
