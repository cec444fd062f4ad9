"""Guides' and engineers' commands in the WeCom app, through the callback's passive reply."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.demo import seed_demo
from storage.models import (
    ChannelIdentity,
    Customer,
    GuideTask,
    Handoff,
    OutboxMessage,
    SalesLead,
    ServiceTicket,
    Staff,
)
from tests.test_work_kit import client_for, say

TICKET = "R20261125-0001"


async def _customer(services, phone: str) -> Customer:
    async with services.db.session() as s:
        return await s.scalar(select(Customer).where(Customer.phone == phone))


async def _staff_id(services, userid: str) -> int:
    async with services.db.session() as s:
        return await s.scalar(select(Staff.id).where(Staff.wecom_userid == userid))


@pytest.fixture
async def world(services):
    """The demo world, three tasks for G001 today, and an open complaint from customer 5."""
    await seed_demo(services)
    g1 = await _staff_id(services, "G001")
    c1 = await _customer(services, "13900210001")
    c9 = await _customer(services, "13900210009")
    c5 = await _customer(services, "13900210005")
    today = services.clock.local_now().date()
    async with services.db.transaction() as s:
        s.add_all(
            [
                GuideTask(
                    guide_id=g1,
                    customer_id=c1.id,
                    kind="filter_due",
                    title=f"滤芯到期：{c1.name}",
                    text="您家净水器的PP棉滤芯快到期了，需要帮您预约更换吗？",
                    due_on=today,
                    idem_key="t1",
                ),
                GuideTask(
                    guide_id=g1,
                    customer_id=c9.id,
                    kind="birthday",
                    title=f"生日祝福：{c9.name}",
                    text="生日快乐！祝您身体健康、万事顺意～",
                    due_on=today - timedelta(days=1),
                    idem_key="t2",
                ),
                GuideTask(
                    guide_id=g1,
                    customer_id=None,
                    kind="follow_up",
                    title="回访上周安装的三位顾客",
                    due_on=today,
                    idem_key="t3",
                ),
                GuideTask(
                    guide_id=g1,
                    customer_id=c1.id,
                    kind="follow_up",
                    title="下周的事",
                    due_on=today + timedelta(days=7),
                    idem_key="t4",
                ),
            ]
        )
        s.add(Handoff(customer_id=c5.id, kind="complaint", reason="油烟机修了还是吸力小"))
    return {"c1": c1, "c5": c5, "c9": c9}


@pytest.fixture
async def client(services):
    async with client_for(services) as c:
        yield c


async def test_tasks_lists_today_numbered_with_complaints(client, services, world):
    answer = await say(client, services.settings, "G001", "任务")
    c1, c5, c9 = world["c1"], world["c5"], world["c9"]
    assert "今天的任务（待办3/3）" in answer
    # overdue first (by due day), then today's, in order; next week's is not there
    assert f"1. 生日祝福：{c9.name}" in answer
    assert f"2. 滤芯到期：{c1.name}" in answer
    assert "3. 回访上周安装的三位顾客" in answer
    assert "下周的事" not in answer
    assert "投诉/求助待跟进" in answer and c5.name in answer and "吸力小" in answer
    assert "13900210005" not in answer  # masked in lists
    assert await say(client, services.settings, "G001", "今天任务") == answer


async def test_other_guides_see_their_own_list(client, services, world):
    answer = await say(client, services.settings, "G003", "任务")
    assert "今天没有待办任务" in answer
    assert "吸力小" not in answer  # customer 5 belongs to the other store


async def test_done_closes_the_task_and_numbers_stay(client, services, world):
    s = services.settings
    assert "任务2已完成" in await say(client, s, "G001", "完成 2")
    answer = await say(client, s, "G001", "任务")
    assert "2. ✓ 滤芯到期" in answer and "3. 回访上周" in answer
    assert "已经完成" in await say(client, s, "G001", "完成 2")
    assert "没有第9条任务" in await say(client, s, "G001", "完成 9")
    async with services.db.session() as db:
        t = await db.scalar(select(GuideTask).where(GuideTask.idem_key == "t1"))
    assert t.status == "done" and t.closed_at is not None


async def test_push_without_wecom_contact_gives_text_to_forward(client, services, world):
    answer = await say(client, services.settings, "G001", "推送 2")
    assert "还不是您的企业微信客户" in answer
    assert "PP棉滤芯快到期了" in answer
    async with services.db.session() as db:
        assert (await db.scalars(select(OutboxMessage))).all() == []
    assert "没有要发给顾客的消息" in await say(client, services.settings, "G001", "推送 3")


async def test_push_to_an_external_contact_goes_through_the_outbox(client, services, world):
    c1 = world["c1"]
    async with services.db.transaction() as db:
        db.add(
            ChannelIdentity(
                customer_id=c1.id,
                channel="work",
                account=services.settings.work.corp_id,
                external_id="wmEXT0001",
                follow_user="G001",
            )
        )
    answer = await say(client, services.settings, "G001", "推送 2")
    assert "确认发送" in answer
    async with services.db.session() as db:
        row = await db.scalar(select(OutboxMessage))
        task = await db.scalar(select(GuideTask).where(GuideTask.idem_key == "t1"))
    assert (row.channel, row.recipient, row.payload["sender"]) == (
        "work_contact",
        "wmEXT0001",
        "G001",
    )
    assert row.text == task.text and row.status == "sent" and row.sandbox  # sandbox: recorded
    assert task.status == "pushed"
    assert "已经推送过" in await say(client, services.settings, "G001", "推送 2")


async def test_push_respects_opt_outs(client, services, world):
    from storage.models import OptOut

    async with services.db.transaction() as db:
        db.add(OptOut(customer_id=world["c9"].id, kind="festival"))
    assert "已关闭此类消息" in await say(client, services.settings, "G001", "推送 1")


async def test_lookup_by_phone_shows_the_card(client, services, world):
    c1 = world["c1"]
    answer = await say(client, services.settings, "G001", "查 13900210001")
    assert c1.name in answer and "13900210001" in answer
    assert "净水器 美的 MRO1891-400G" in answer
    assert "最近联系：暂无" in answer


async def test_lookup_shows_tickets_and_opt_outs(client, services, world):
    from storage.models import OptOut

    async with services.db.transaction() as db:
        db.add(OptOut(customer_id=world["c5"].id, kind="festival"))
    answer = await say(client, services.settings, "G002", "查 13900210005")
    assert TICKET in answer and "维修 已派单" in answer
    assert "油烟机 方太" in answer
    assert "已退订：节日问候" in answer


async def test_lookup_by_name_and_prefix(client, services, world):
    c9 = world["c9"]
    async with services.db.transaction() as db:
        (await db.get(Customer, c9.id)).name = "欧阳娜娜"
    assert "13900210009" in await say(client, services.settings, "G002", "查 欧阳娜娜")
    many = await say(client, services.settings, "G001", "查 139002…")
    assert "请说得更具体些" in many and "139****" in many
    assert "没找到" in await say(client, services.settings, "G001", "查 王小二二")
    assert "至少输入前3位" in await say(client, services.settings, "G001", "查 13")


async def test_lookup_of_another_stores_customer_is_refused(client, services, world):
    answer = await say(client, services.settings, "G001", "查 13900210003")  # store S002
    assert "不在" in answer and "不能查看" in answer
    assert "13900210003" not in answer


async def test_leads_pipeline(client, services, world):
    s = services.settings
    answer = await say(client, s, "G001", "商机 张三 想换冰箱 预算5000")
    assert "已记下商机#1：张三 想换冰箱，预算5000元" in answer
    async with services.db.session() as db:
        lead = await db.scalar(select(SalesLead))
        g1 = await db.scalar(select(Staff).where(Staff.wecom_userid == "G001"))
    assert (lead.status, lead.budget_fen, lead.interest) == ("new", 500000, "想换冰箱")
    assert lead.store_id == g1.store_id and lead.guide_id == g1.id and lead.customer_id is None
    assert "#1 张三 想换冰箱 预算5000元｜新建" in await say(client, s, "G002", "商机")  # same store
    assert "本店没有商机#1" in await say(client, s, "G003", "商机 1 成交")  # other store
    assert "已联系" in await say(client, s, "G001", "商机 1 联系")
    assert "恭喜成交" in await say(client, s, "G001", "商机 1 成交")
    assert "不能再改" in await say(client, s, "G001", "商机 1 丢单")
    async with services.db.session() as db:
        assert (await db.scalar(select(SalesLead))).status == "won"
    assert "没有跟进中的商机" in await say(client, s, "G001", "商机")


async def test_lead_for_a_known_customer_is_linked(client, services, world):
    c1 = world["c1"]
    answer = await say(client, services.settings, "G001", f"商机 {c1.phone} 想加装净水器 预算1.2万")
    assert "已关联顾客档案" in answer and "预算12000元" in answer
    async with services.db.session() as db:
        lead = await db.scalar(select(SalesLead))
    assert lead.customer_id == c1.id and lead.customer_name == c1.name


async def test_engineer_moves_a_ticket_and_the_customer_hears(client, services, world):
    s = services.settings
    assert "已记录到达" in await say(client, s, "E001", f"到达 {TICKET}")
    assert "已完成" in await say(client, s, "E001", f"完成 {TICKET.lower()}")
    async with services.db.session() as db:
        ticket = await db.scalar(select(ServiceTicket).where(ServiceTicket.number == TICKET))
        sent = (
            await db.scalars(
                select(OutboxMessage).where(OutboxMessage.customer_id == world["c5"].id)
            )
        ).all()
    assert ticket.status == "done" and ticket.done_at is not None
    texts = " ".join(r.text or "" for r in sent)
    assert "已到达" in texts and "打个分" in texts
    assert "无需再操作" in await say(client, s, "E001", f"完成 {TICKET}")


async def test_ticket_commands_refused_for_guides_and_other_stores(client, services, world):
    s = services.settings
    assert "师傅用的命令" in await say(client, s, "G001", f"到达 {TICKET}")
    assert "不是您负责的" in await say(client, s, "E002", f"到达 {TICKET}")
    assert "没找到工单" in await say(client, s, "E001", "到达 R20990101-0001")
    async with services.db.session() as db:
        ticket = await db.scalar(select(ServiceTicket).where(ServiceTicket.number == TICKET))
    assert ticket.status == "assigned"


@pytest.mark.parametrize("line", ["你好呀", "任务们", "商机 1 飞了", "推送", "群发"])
async def test_wrong_commands_get_help(client, services, world, line):
    answer = await say(client, services.settings, "G002", line)
    assert answer.startswith("没太看懂")
    assert "任务" in answer and "查 " in answer and "商机" in answer


async def test_help(client, services, world):
    assert "群发" in await say(client, services.settings, "G001", "帮助")  # G001 is an admin
    assert "群发" not in await say(client, services.settings, "G002", "帮助")


@pytest.mark.parametrize("line", ["帮助", "请帮助", "帮助一下", "@售后助手 帮助"])
async def test_asking_for_help_is_understood_not_scolded(client, services, world, line):
    answer = await say(client, services.settings, "G002", line)
    assert not answer.startswith("没太看懂"), answer
    assert answer.startswith("可以这样跟我说")


async def test_engineers_tasks_list_their_visits(client, services, world):
    answer = await say(client, services.settings, "E001", "任务")
    assert f"· {TICKET} 油烟机吸力小（11月26日 14:00-16:00）" in answer
    assert "到达 单号" in answer
    assert TICKET not in await say(client, services.settings, "E002", "任务")
