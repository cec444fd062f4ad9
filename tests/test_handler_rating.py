"""Status changes tell the customer; done asks for a rating; a low one opens a complaint."""

from __future__ import annotations

import pytest
from test_dialog_helpers import advance, reply, rows, say, seed_customer, seed_staff

from handlers.rating import parse_stars
from handlers.ticket_updates import move_ticket
from storage.models import Handoff, OutboxMessage, Rating, ServiceTicket, TicketEvent

BOOKING = "明天上午来修一下客厅的格力空调 不制冷 电话13812345678"
ADDRESS = "上海市浦东新区张江路88弄3号501室"


@pytest.mark.parametrize(
    "text,stars",
    [
        ("5", 5),
        ("5星", 5),
        ("五星", 5),
        ("五星好评", 5),
        ("⭐⭐⭐⭐", 4),
        ("★★★", 3),
        ("非常满意", 5),
        ("满意", 5),
        ("一般", 3),
        ("还行吧", 3),
        ("差评", 1),
        ("不满意", 2),
        ("4分", 4),
        ("两星", 2),
        ("3颗星", 3),
    ],
)
def test_ratings_are_read_from_what_people_say(text, stars):
    assert parse_stars(text)[0] == stars


@pytest.mark.parametrize("text", ["修空调", "13812345678", "明天下午", "你好", "6星"])
def test_other_messages_are_not_ratings(text):
    assert parse_stars(text) is None


async def _booked_ticket(services) -> ServiceTicket:
    await say(services, BOOKING)
    await say(services, ADDRESS)
    await say(services, "确认")
    [ticket] = await rows(services, ServiceTicket)
    return ticket


async def _move(services, ticket_id: int, status: str) -> None:
    async with services.db.transaction() as s:
        ticket = await s.get(ServiceTicket, ticket_id)
        await move_ticket(services, s, ticket, status, actor="E001")


async def _customer_messages(services) -> list[OutboxMessage]:
    return await rows(services, OutboxMessage, OutboxMessage.channel == "mp_kf")


async def test_each_status_change_writes_an_event_and_tells_the_customer(services):
    ticket = await _booked_ticket(services)
    await _move(services, ticket.id, "assigned")
    await _move(services, ticket.id, "on_the_way")
    await _move(services, ticket.id, "arrived")
    sent = await _customer_messages(services)
    assert [m.recipient for m in sent] == ["u1", "u1", "u1"]
    assert all(m.kind == "service" for m in sent)
    assert "已安排" in sent[0].text and "11月26日 09:00-12:00" in sent[0].text
    assert "出发" in sent[1].text and "到达" in sent[2].text
    events = await rows(services, TicketEvent)
    assert [e.status for e in events] == ["open", "assigned", "on_the_way", "arrived"]
    assert events[-1].actor == "E001"
    [t] = await rows(services, ServiceTicket)
    assert t.status == "arrived"


async def test_an_unknown_status_is_refused(services):
    ticket = await _booked_ticket(services)
    with pytest.raises(ValueError):
        await _move(services, ticket.id, "teleported")


async def test_done_asks_for_a_rating_and_a_bare_5_is_taken_as_one(services):
    ticket = await _booked_ticket(services)
    await _move(services, ticket.id, "done")
    [ask] = await _customer_messages(services)
    assert "打个分" in ask.text
    [t] = await rows(services, ServiceTicket)
    assert t.status == "done" and t.done_at is not None
    advance(services, 120)  # hours later, long after the session's idle time
    thanks = await say(services, "5")
    assert "5星" in thanks and "谢谢" in thanks
    [rating] = await rows(services, Rating)
    assert rating.ticket_id == ticket.id and rating.stars == 5
    assert await rows(services, Handoff) == []
    # the next "5" is just a message again
    assert "5星" not in await say(services, "5")


async def test_stars_emoji_rate_without_a_pending_question(services):
    ticket = await _booked_ticket(services)
    await _move(services, ticket.id, "done")
    await say(services, "你好")  # the chat moves on
    assert "4星" in await say(services, "⭐⭐⭐⭐")
    [rating] = await rows(services, Rating)
    assert rating.stars == 4


async def test_a_rating_of_3_or_less_opens_a_complaint_and_tells_the_guide(services):
    await seed_staff(services, "G001")
    ticket = await _booked_ticket(services)
    await _move(services, ticket.id, "done")
    answer = await say(services, "一般")
    assert "3星" in answer and "抱歉" in answer
    [rating] = await rows(services, Rating)
    assert rating.stars == 3
    [handoff] = await rows(services, Handoff)
    assert handoff.kind == "low_rating" and handoff.ticket_id == ticket.id
    staff_msgs = await rows(services, OutboxMessage, OutboxMessage.channel == "work_app")
    assert any("差评" in m.text and ticket.number in m.text for m in staff_msgs)
    # a human takes it from here: the bot is quiet
    assert (await reply(services, "你们怎么回事")).empty


async def test_a_bare_number_without_a_finished_service_is_not_a_rating(services):
    await seed_customer(services)
    text = await say(services, "5")
    assert "星" not in text
    assert await rows(services, Rating) == []


async def test_cancelled_tells_the_customer(services):
    ticket = await _booked_ticket(services)
    await _move(services, ticket.id, "cancelled")
    [msg] = await _customer_messages(services)
    assert "已取消" in msg.text and ticket.number in msg.text


async def test_a_bare_number_days_after_done_rates_even_without_the_question(services):
    ticket = await _booked_ticket(services)
    async with services.db.transaction() as s:
        t = await s.get(ServiceTicket, ticket.id)
        from storage.repos import tickets as repo

        await repo.add_event(s, t, "done", now=services.clock.now(), actor="admin")
    advance(services, 60 * 24 * 2)
    assert "4星" in await say(services, "4")
    [rating] = await rows(services, Rating)
    assert rating.stars == 4
