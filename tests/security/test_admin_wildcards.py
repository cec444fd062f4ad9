"""Issue 16 item 8 (admin, WeCom): % and _ are letters in admin search and in 查, not wildcards."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.demo import seed_demo
from storage.models import Customer
from tests.security.admin_kit import login, start
from tests.test_work_kit import client_for, say


async def _total(client, q: str) -> str:
    html = await (await client.get("/admin/customers", params={"q": q})).text()
    return html.split("共 ", 1)[1].split(" 位", 1)[0]


async def test_admin_search_matches_percent_and_underscore_literally(services):
    await seed_demo(services)
    async with services.db.transaction() as s:
        s.add(Customer(name="百分_百%满意", phone="13700000001", store_id=None))
    client = await start(services)
    try:
        await login(client)
        assert await _total(client, "") != "0"
        assert await _total(client, "%") == "1"
        assert await _total(client, "_") == "1"
        assert await _total(client, "%%") == "0"
        assert await _total(client, "1390021%") == "0"
        assert await _total(client, "13900_10001") == "0"
        assert await _total(client, "13900210001") == "1"
    finally:
        await client.close()


@pytest.fixture
async def work(services):
    await seed_demo(services)
    async with client_for(services) as c:
        yield c


@pytest.mark.parametrize("term", ["%%%", "___", "%", "_", "139%", "1390021000_", "%0001"])
async def test_lookup_does_not_treat_wildcards_as_any_letter(work, services, term):
    answer = await say(work, services.settings, "G001", f"查 {term}")
    assert answer.startswith("没找到") or "至少输入前3位" in answer
    assert "请说得更具体些" not in answer and "139****" not in answer


async def test_lookup_keeps_its_three_digit_minimum_and_finds_real_customers(work, services):
    assert "至少输入前3位" in await say(work, services.settings, "G001", "查 13")
    async with services.db.session() as s:
        c1 = await s.scalar(select(Customer).where(Customer.phone == "13900210001"))
    answer = await say(work, services.settings, "G001", "查 13900210001")
    assert c1.name in answer
