"""Campaigns through the respectful outbox: opt-outs, weekly cap, open complaints, the
48-hour window, WeCom 群发 for customers who added a guide, guide tasks otherwise; never
twice to one customer, even re-run or re-run after a crash; the CLI and the payloads."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from bot.cli import main
from bot.context import build_services
from bot.demo import seed_demo
from bot.outbox import dispatch_all_due
from bot.scrm import campaigns
from bot.scrm.tags import recompute
from storage.models import (
    CampaignTarget,
    ChannelIdentity,
    Customer,
    GuideTask,
    Handoff,
    OptOut,
    OutboxMessage,
)
from storage.repos import campaigns as repo
from tests.conftest import NOW, SHANGHAI

pytest_plugins = ["tests.fakes.fixtures"]

TEXT = "冬季空调清洗节，会员价99元，回复“清洗”预约～"


async def _id(services, phone: str) -> int:
    async with services.db.session() as s:
        return await s.scalar(select(Customer.id).where(Customer.phone == phone))


async def _world(services) -> dict[str, int]:
    """Store S001's customers with one of each situation a campaign must respect."""
    await seed_demo(services)
    await recompute(services)
    ids = {
        k: await _id(services, p)
        for k, p in {
            "opted": "13900210001",
            "window": "13900210002",
            "wecom": "13900210005",
            "capped": "13900210006",
            "upset": "13900210009",
        }.items()
    }
    now = services.clock.now()
    async with services.db.transaction() as s:
        s.add(OptOut(customer_id=ids["opted"], kind="all", created_at=now))
        (await s.get(Customer, ids["window"])).last_inbound_at = now - timedelta(hours=2)
        s.add(
            ChannelIdentity(
                customer_id=ids["wecom"],
                channel="work",
                account=services.settings.work.corp_id,
                external_id="wmEXT05",
                follow_user="G001",
            )
        )
        for i in range(2):
            s.add(
                OutboxMessage(
                    customer_id=ids["capped"],
                    channel="mp_kf",
                    recipient="demo-openid-06",
                    kind="festival",
                    text="节日快乐",
                    status="sent",
                    idem_key=f"test-cap-{i}",
                    not_before=now - timedelta(days=i + 1),
                )
            )
        s.add(Handoff(customer_id=ids["upset"], kind="complaint", status="open"))
    return ids


async def _campaign_rows(services, cid: int) -> list[OutboxMessage]:
    async with services.db.session() as s:
        return list(
            await s.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.idem_key.startswith(f"campaign:{cid}:"))
                .order_by(OutboxMessage.id)
            )
        )


async def test_run_respects_people_and_counts_skips_by_reason(services):
    ids = await _world(services)
    cid = await campaigns.create(services, name="清洗节", segment="store:S001", text=TEXT)
    result = await campaigns.run(services, cid)
    assert result["skipped"] == {"opted_out": 1, "weekly_cap": 1, "open_complaint": 1}
    assert result["queued"] == 16 - 3
    assert result["by_channel"]["mp_kf"] == 1  # wrote two hours ago: inside 48 hours
    assert result["by_channel"]["work_contact"] == 1  # added guide G001 in WeCom
    assert result["by_channel"]["guide_task"] == 11
    rows = await _campaign_rows(services, cid)
    reached = {r.customer_id for r in rows}
    assert ids["opted"] not in reached and ids["capped"] not in reached
    assert ids["upset"] not in reached
    [mass] = [r for r in rows if r.channel == "work_mass"]
    assert mass.recipient == "G001" and mass.payload["external_userids"] == ["wmEXT05"]
    [kf] = [r for r in rows if r.channel == "mp_kf"]
    assert kf.customer_id == ids["window"] and kf.text == TEXT and kf.kind == "campaign"
    stats = await dispatch_all_due(services)
    assert stats["sent"] == len(rows)


async def test_a_rerun_sends_nothing_twice(services):
    await _world(services)
    cid = await campaigns.create(services, name="清洗节", segment="store:S001", text=TEXT)
    first = await campaigns.run(services, cid)
    await dispatch_all_due(services)
    before = len(await _campaign_rows(services, cid))
    again = await campaigns.run(services, cid)
    assert again["queued"] == 0
    assert again["skipped"]["already_queued"] == first["queued"]
    assert len(await _campaign_rows(services, cid)) == before
    report = await campaigns.report(services, cid)
    assert report["targets"] == first["queued"] and report["outbox"] == {"sent": before}


async def test_a_run_that_crashes_leaves_nothing_and_the_rerun_sends_once(services, monkeypatch):
    await _world(services)
    cid = await campaigns.create(services, name="清洗节", segment="store:S001", text=TEXT)

    async def crash(*_a, **_k):
        raise RuntimeError("power cut")

    monkeypatch.setattr(repo, "_outbox_mass", crash)
    with pytest.raises(RuntimeError):
        await campaigns.run(services, cid)
    assert await _campaign_rows(services, cid) == []
    async with services.db.session() as s:
        assert await s.scalar(select(func.count()).select_from(CampaignTarget)) == 0
    monkeypatch.undo()
    result = await campaigns.run(services, cid)
    await campaigns.run(services, cid)
    rows = await _campaign_rows(services, cid)
    per_customer = [r.customer_id for r in rows if r.customer_id is not None]
    assert len(per_customer) == len(set(per_customer)) == result["queued"] - 1  # + one 群发


async def test_customers_new_to_the_segment_are_reached_on_a_rerun(services):
    await _world(services)
    cid = await campaigns.create(services, name="老空调", segment="tag:空调8年以上", text=TEXT)
    assert (await campaigns.run(services, cid))["queued"] == 1
    async with services.db.transaction() as s:
        c = await s.get(Customer, await _id(services, "13900210010"))
        from storage.models import Device

        s.add(
            Device(customer_id=c.id, category="空调", purchase_date=NOW.date().replace(year=2015))
        )
    await recompute(services)
    again = await campaigns.run(services, cid)
    assert again["queued"] == 1 and again["skipped"] == {"already_queued": 1}


async def test_quiet_hours_hold_the_campaign_until_morning(settings):
    late = datetime(2026, 11, 25, 22, 30, tzinfo=SHANGHAI)
    svc = build_services(settings, now=late)
    try:
        await _world(svc)
        cid = await campaigns.create(svc, name="夜里", segment="tag:空调8年以上", text=TEXT)
        await campaigns.run(svc, cid)
        [row] = await _campaign_rows(svc, cid)
        assert row.not_before.astimezone(SHANGHAI) == datetime(2026, 11, 26, 8, 30, tzinfo=SHANGHAI)
        assert (await dispatch_all_due(svc))["claimed"] == 0
    finally:
        await svc.close()


async def test_live_payloads_and_the_opted_out_customer_never_receives_one(
    live_services, fake_wechat
):
    svc = live_services
    ids = await _world(svc)
    async with svc.db.transaction() as s:  # the opted-out customer also wrote recently
        (await s.get(Customer, ids["opted"])).last_inbound_at = svc.clock.now()
    cid = await campaigns.create(svc, name="清洗节", segment="store:S001", text=TEXT)
    await campaigns.run(svc, cid)
    await dispatch_all_due(svc)
    [mass] = fake_wechat.calls("/cgi-bin/externalcontact/add_msg_template")
    assert mass.json == {
        "chat_type": "single",
        "external_userid": ["wmEXT05"],
        "sender": "G001",
        "text": {"content": TEXT},
    }
    kf = fake_wechat.calls("/cgi-bin/message/custom/send")
    assert [c.json["touser"] for c in kf] == ["demo-openid-02"]
    everything = json.dumps([c.json for c in fake_wechat.calls()], ensure_ascii=False)
    assert "demo-openid-01" not in everything


def _cli(settings, *args):
    env = {"WXBOT_DATABASE__URL": settings.database.url}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_cli_create_run_report(settings):
    async def seed():
        svc = build_services(settings)
        try:
            await seed_demo(svc)
            await recompute(svc)
        finally:
            await svc.close()

    asyncio.run(seed())
    out = _cli(
        settings,
        *("campaign", "create", "--name", "清洗节", "--segment", "tag:空调8年以上 store:S001"),
        *("--text", TEXT, "--at", "2026-12-12T10:00"),
    )
    assert out.exit_code == 0
    cid = int(out.stdout)
    run = json.loads(_cli(settings, "campaign", "run", str(cid)).stdout)
    assert run["queued"] == 1 and run["skipped"] == {}
    rerun = json.loads(_cli(settings, "campaign", "run", str(cid)).stdout)
    assert rerun["queued"] == 0 and rerun["skipped"] == {"already_queued": 1}
    report = json.loads(_cli(settings, "campaign", "report", str(cid)).stdout)
    assert report["targets"] == 1 and report["runs"] == 2 and "replied_7d" in report
    bad = _cli(settings, "campaign", "create", "--name", "x", "--segment", "tag", "--text", "y")
    assert bad.exit_code == 2 and "bad segment" in bad.stderr
    assert _cli(settings, "campaign", "run", "999").exit_code == 2


async def test_a_scheduled_campaign_runs_when_its_time_comes(services):
    await _world(services)
    soon = (NOW + timedelta(minutes=30)).isoformat()
    cid = await campaigns.create(
        services, name="定时", segment="tag:空调8年以上", text=TEXT, at=soon
    )
    assert await campaigns.run_due(services) == 0
    services.clock.freeze(NOW + timedelta(minutes=31))
    assert await campaigns.run_due(services) == 1
    assert len(await _campaign_rows(services, cid)) == 1
    assert await campaigns.run_due(services) == 0


async def test_scrm_jobs_register_with_a_scheduler(services):
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from bot.scrm.jobs import add_jobs

    sched = AsyncIOScheduler(timezone=SHANGHAI)
    add_jobs(sched, services)
    jobs = {j.id: j for j in sched.get_jobs()}
    assert set(jobs) == {"scrm-tags", "scrm-campaigns"}
    assert "hour='6'" in str(jobs["scrm-tags"].trigger)


async def test_a_news_card_campaign_goes_as_a_card_where_it_can(live_services, fake_wechat):
    svc = live_services
    await _world(svc)
    card = campaigns.news_card(
        "冬季清洗节", "https://example.com/clean", "会员价99元", "https://example.com/c.jpg"
    )
    cid = await campaigns.create(svc, name="清洗节图文", segment="store:S001", text=TEXT, card=card)
    await campaigns.run(svc, cid)
    await dispatch_all_due(svc)
    [kf] = fake_wechat.calls("/cgi-bin/message/custom/send")  # the one in the 48-hour window
    assert kf.json["msgtype"] == "news"
    [article] = kf.json["news"]["articles"]
    assert article["title"] == "冬季清洗节" and article["url"] == "https://example.com/clean"
    [mass] = fake_wechat.calls("/cgi-bin/externalcontact/add_msg_template")
    assert mass.json["link"] == {
        "title": "冬季清洗节",
        "url": "https://example.com/clean",
        "desc": "会员价99元",
        "picurl": "https://example.com/c.jpg",
    }
    async with svc.db.session() as s:  # elsewhere: the guide's task carries the link
        tasks = [
            o
            for o in await _campaign_rows(svc, cid)
            if o.channel == "guide_task" and o.status == "sent"
        ]
    assert tasks, "customers outside the window reach their guide"
    async with svc.db.session() as s:
        texts = [t.text for t in await s.scalars(select(GuideTask))]
    assert any("https://example.com/clean" in (t or "") for t in texts)


def test_a_news_card_needs_a_title_and_a_web_link():
    with pytest.raises(campaigns.CampaignError):
        campaigns.news_card("只有标题", None)
    with pytest.raises(campaigns.CampaignError):
        campaigns.news_card("标题", "javascript:alert(1)")
    assert campaigns.news_card(None, None) is None
