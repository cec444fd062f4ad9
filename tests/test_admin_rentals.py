"""``/admin/rentals`` (issue 20): units by state, contracts due this month, rent per month, and
renew / end from the console."""

from __future__ import annotations

from datetime import date

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.demo import seed_demo
from storage.models import Customer, RentalContract, RentalUnit
from storage.repos import rentals
from tests.test_admin_auth import _hidden, login
from tests.test_dialog_helpers import rows


@pytest.fixture
async def client(services):
    await seed_demo(services)
    async with services.db.transaction() as s:
        c = Customer(name="周先生")
        s.add(c)
        await s.flush()
        unit = await rentals.unit_by_code(s, "RU-XH-FR1")
        assert await rentals.claim(s, unit.id, services.clock.now())
        await rentals.create_contract(  # ends 30 Nov: due this month
            s,
            customer_id=c.id,
            unit=unit,
            start_on=date(2026, 9, 30),
            months=2,
            now=services.clock.now(),
            source_key=None,
        )
    cl = TestClient(TestServer(create_app(services)))
    await cl.start_server()
    assert (await login(cl)).status == 303
    yield cl
    await cl.close()


async def test_the_rentals_page_shows_stock_due_contracts_and_the_income_chart(client):
    resp = await client.get("/admin/rentals")
    html = await resp.text()
    assert resp.status == 200
    assert "在库 5" in html and "在租 1" in html
    due = html.split("本月到期的合同")[1].split("在租合同")[0]
    assert "RU-XH-FR1" in due and "2026-11-30" in due
    assert "<svg" in html and "2026-10" in html and "每月租金" in html
    assert "¥89.00" in html


async def test_renew_and_end_from_the_console(client, services):
    page = await (await client.get("/admin/rentals")).text()
    token = _hidden(page, "csrf")
    [c] = await rows(services, RentalContract)
    resp = await client.post(
        f"/admin/rentals/{c.id}/renew", data={"csrf": token, "months": "3"}, allow_redirects=False
    )
    assert resp.status == 303
    [c] = await rows(services, RentalContract)
    assert c.end_on == date(2027, 2, 28)
    resp = await client.post(
        f"/admin/rentals/{c.id}/end", data={"csrf": token}, allow_redirects=False
    )
    assert resp.status == 303
    [c] = await rows(services, RentalContract)
    [u] = await rows(services, RentalUnit, RentalUnit.code == "RU-XH-FR1")
    assert c.status == "ended" and u.state == "inspecting"
    again = await client.post(f"/admin/rentals/{c.id}/end", data={"csrf": token})
    assert again.status == 409
