"""The 客户运营 admin page: tag counts, a segment's size before sending, campaigns created
and run from the page with their results and a chart."""

from __future__ import annotations

import re

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.demo import seed_demo
from bot.scrm import campaigns
from bot.scrm.tags import recompute
from tests.test_admin_auth import login


@pytest.fixture
async def client(services):
    await seed_demo(services)
    await recompute(services)
    c = TestClient(TestServer(create_app(services)))
    await c.start_server()
    assert (await login(c)).status == 303
    yield c
    await c.close()


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


async def test_page_shows_tags_segment_size_and_campaign_results(client, services):
    html = await (await client.get("/admin/scrm")).text()
    assert "客户运营" in html and "空调8年以上" in html and "<svg" in html
    assert not re.search(r'(src|href)="(https?:)?//', html)
    html = await (await client.get("/admin/scrm", params={"expr": "category:空调 age>=8"})).text()
    assert re.search(r'class="segment-size">1<', html) and "139****0002" in html
    html = await (await client.get("/admin/scrm", params={"expr": "colour:red"})).text()
    assert "人群条件有误" in html
    cid = await campaigns.create(services, name="清洗节", segment="store:S001", text="清洗季～")
    await campaigns.run(services, cid)
    html = await (await client.get("/admin/scrm")).text()
    assert "清洗节" in html and "导购任务 16" in html and "活动 清洗节 的结果" in html


async def test_create_and_run_a_campaign_from_the_page(client, services):
    page = await (await client.get("/admin/scrm")).text()
    form = {
        "csrf": _csrf(page),
        "name": "老空调换新",
        "segment": "tag:空调8年以上",
        "text": "以旧换新补贴进行中～",
    }
    resp = await client.post("/admin/scrm/campaigns", data=form, allow_redirects=False)
    assert resp.status == 303
    bad = await client.post(
        "/admin/scrm/campaigns", data={**form, "segment": "tag"}, allow_redirects=False
    )
    assert bad.status == 400
    no_csrf = await client.post("/admin/scrm/campaigns/1/run", data={}, allow_redirects=False)
    assert no_csrf.status in (400, 403)
    resp = await client.post(
        "/admin/scrm/campaigns/1/run", data={"csrf": form["csrf"]}, allow_redirects=False
    )
    assert resp.status == 303
    report = await campaigns.report(services, 1)
    assert report["targets"] == 1 and report["name"] == "老空调换新"


async def test_operator_tags_a_customer_on_their_page(client, services):
    from sqlalchemy import select

    from storage.models import Customer
    from storage.repos import tags as repo

    async with services.db.session() as s:
        c = await s.scalar(select(Customer).where(Customer.phone == "13900210002"))
    page = await (await client.get(f"/admin/customers/{c.id}")).text()
    assert "空调8年以上" in page and "改标签" in page
    resp = await client.post(
        f"/admin/customers/{c.id}/tags",
        data={"csrf": _csrf(page), "ops": "+VIP -空调8年以上"},
        allow_redirects=False,
    )
    assert resp.status == 303
    async with services.db.session() as s:
        held = {n for n, _ in await repo.for_customer(s, c.id)}
    assert held == {"VIP", "空调8年以上"}  # the automatic tag stays
    page = await (await client.get(f"/admin/customers/{c.id}")).text()
    assert "VIP" in page


async def test_customers_lost_in_wecom_show_per_week(client, services):
    from datetime import timedelta

    from storage.models import ContactLoss

    now = services.clock.now()
    async with services.db.transaction() as s:
        for days_ago in (0, 1, 8, 8, 8):
            s.add(
                ContactLoss(
                    guide_userid="G001",
                    change_type="del_follow_user",
                    at=now - timedelta(days=days_ago),
                )
            )
    html = await (await client.get("/admin/scrm")).text()
    assert "每周流失的企业微信客户" in html
    chart = html[html.index("每周流失的企业微信客户") :]
    chart = chart[: chart.index("</svg>")]
    values = re.findall(r">(\d+)</text>", chart)
    assert values[-2:] == ["3", "2"]  # the week before: 3; this week: 2 (NOW is a Wednesday)
