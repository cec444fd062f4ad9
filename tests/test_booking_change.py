"""A booked visit changed or cancelled by the customer in chat, with one confirming turn; the
store and the engineer told; a visit already under way goes to a person."""

from __future__ import annotations

from sqlalchemy import select
from test_dialog_helpers import rows, say, seed_staff

from storage.models import Handoff, OutboxMessage, ServiceTicket, Staff

BOOK = [
    "空调不制冷 明天下午来修 电话13812345678",
    "上海市浦东新区张江路88弄3号501室",
    "确认",
]


async def _booked(services) -> ServiceTicket:
    await seed_staff(services, "G001")
    for line in BOOK:
        await say(services, line)
    [ticket] = await rows(services, ServiceTicket)
    return ticket


async def _ticket(services, ticket_id: int) -> ServiceTicket:
    async with services.db.session() as s:
        return await s.get(ServiceTicket, ticket_id)


async def _notices(services) -> list[str]:
    return [m.text for m in await rows(services, OutboxMessage) if m.channel == "work_app"]


async def test_reschedule_with_one_confirming_turn(services):
    ticket = await _booked(services)
    ask = await say(services, "算了 我想改到后天上午")
    assert ticket.number in ask and "11月27日" in ask and "回复“是”" in ask, ask
    assert (await _ticket(services, ticket.id)).window_start == ticket.window_start
    done = await say(services, "是")
    assert "改好了" in done and "11月27日" in done, done
    moved = await _ticket(services, ticket.id)
    local = moved.window_start.astimezone(services.settings.tz)
    assert (local.day, local.hour) == (27, 9)
    assert moved.status == "open"
    assert any("【顾客改约】" in t and ticket.number in t for t in await _notices(services))
    assert "11月27日" in await say(services, "进度")


async def test_asked_when_then_kept_when_the_customer_says_no(services):
    ticket = await _booked(services)
    assert "想改到什么时候" in await say(services, "能换个时间吗")
    ask = await say(services, "周六下午3点")
    assert "11月28日" in ask and "15:00" in ask, ask
    kept = await say(services, "不")
    assert "保持不变" in kept, kept
    assert (await _ticket(services, ticket.id)).window_start == ticket.window_start


async def test_cancel_after_the_question(services):
    ticket = await _booked(services)
    ask = await say(services, "取消预约")
    assert "要取消这张服务单吗" in ask and ticket.number in ask, ask
    assert (await _ticket(services, ticket.id)).status == "open"
    assert "已取消" in await say(services, "是")
    assert (await _ticket(services, ticket.id)).status == "cancelled"
    assert any("【取消预约】" in t for t in await _notices(services))


async def test_an_engineer_on_the_way_is_not_cancelled_by_the_bot(services):
    ticket = await _booked(services)
    async with services.db.transaction() as s:
        t = await s.get(ServiceTicket, ticket.id)
        t.status = "on_the_way"
    answer = await say(services, "不用来了")
    assert "同事" in answer, answer
    assert (await _ticket(services, ticket.id)).status == "on_the_way"
    [handoff] = await rows(services, Handoff)
    assert ticket.number in handoff.reason and "在路上" in handoff.reason
    assert any(f"顾客想取消 {ticket.number}" in t for t in await _notices(services))


async def test_a_phone_correction_is_not_a_reschedule(services):
    ticket = await _booked(services)
    answer = await say(services, "电话改成13900001111")
    assert "什么时候" not in answer and "上门时间" not in answer, answer
    assert (await _ticket(services, ticket.id)).window_start == ticket.window_start


async def test_cancel_without_a_booking_says_so(services):
    answer = await say(services, "取消预约")
    assert "没有待上门的服务单" in answer, answer


async def test_the_engineer_hears_of_a_new_time(services):
    ticket = await _booked(services)
    async with services.db.transaction() as s:
        store_id = await s.scalar(select(Staff.store_id).where(Staff.wecom_userid == "G001"))
        engineer = Staff(store_id=store_id, name="刘", role="engineer", wecom_userid="E001")
        s.add(engineer)
        await s.flush()
        t = await s.get(ServiceTicket, ticket.id)
        t.engineer_id, t.status = engineer.id, "assigned"
    await say(services, "改到后天上午")
    await say(services, "是")
    async with services.db.session() as s:
        texts = list(
            await s.scalars(select(OutboxMessage.text).where(OutboxMessage.recipient == "E001"))
        )
    assert any("【改期】" in t and ticket.number in t for t in texts), texts
