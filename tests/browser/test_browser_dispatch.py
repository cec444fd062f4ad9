"""Dispatch from the ticket page in the browser (issue 22): a store manager at 390 px gives a
demo ticket to an engineer, moves the visit and sees both recorded with their name."""

from __future__ import annotations

import re

from sqlalchemy import select

from bot.web.passwords import hash_password
from storage.models import OutboxMessage, ServiceTicket, Staff, Store
from storage.repos import admin_users

PASSWORD = "manager-pass-1"


async def test_dispatch_on_a_phone(context, live, shot, services):
    async with services.db.transaction() as s:
        ticket = await s.scalar(
            select(ServiceTicket)
            .where(
                ServiceTicket.store_id.is_not(None),
                ServiceTicket.status.not_in(("done", "cancelled")),
            )
            .order_by(ServiceTicket.id)
        )
        assert ticket is not None, "the demo world has a ticket to dispatch"
        store = await s.get(Store, ticket.store_id)
        engineer = await s.scalar(
            select(Staff).where(Staff.store_id == store.id, Staff.role == "engineer")
        )
        assert engineer is not None, "the demo store has an engineer"
        await admin_users.add(
            s,
            username="zhang",
            password_hash=hash_password(PASSWORD),
            role="store_manager",
            store_id=store.id,
        )
        ticket_id, engineer_id = ticket.id, engineer.id
    page = await context.new_page()
    await page.set_viewport_size({"width": 390, "height": 844})
    await page.goto(f"{live}/admin/tickets/{ticket_id}")
    await page.fill("input[name=username]", "zhang")
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(re.compile(rf"/admin/tickets/{ticket_id}$"))

    await page.select_option("#engineer-select", str(engineer_id))
    await page.click("form[action$='/engineer'] button[type=submit]")
    await page.wait_for_selector("text=已派单")
    await page.fill("input[name=day]", "2026-11-30")
    await page.fill("input[name=start]", "14:00")
    await page.fill("input[name=end]", "16:00")
    await page.click("form[action$='/window'] button[type=submit]")
    await page.wait_for_selector("text=上门时间已改")
    shown = await page.inner_text("main")
    assert "管理员 zhang" in shown  # who did it, on the ticket
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the ticket page scrolls sideways on a phone ({width}px)"
    await shot(page, "manager-390-dispatch")
    async with services.db.session() as s:
        moved = await s.get(ServiceTicket, ticket_id)
        assert moved.engineer_id == engineer_id
        told = [
            o.text
            for o in await s.scalars(
                select(OutboxMessage).where(OutboxMessage.customer_id == moved.customer_id)
            )
        ]
    assert any("14:00" in (t or "") for t in told), "the customer is told the new time"
