"""In-flight messages survive a crash: a retry whose first attempt belongs to a process
that is gone (killed, stopped, silent) is taken over at once and answered; a live owner
is waited for; rows nobody retried do not stay ``processing``."""

from __future__ import annotations

import subprocess
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot import liveness
from bot.app import create_app
from storage.models import InboundMessage
from storage.repos import inbound as inbound_repo
from storage.repos import processes as processes_repo
from tests.conftest import NOW
from tests.fakes import wxmsg
from tests.fakes.mp import mp_sender

TS = int(NOW.timestamp())


@pytest.fixture
async def client(services):
    async with TestClient(TestServer(create_app(services))) as c:
        yield c


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


async def _first_attempt(services, key: str, *, host: str, pid: int, beat_ago_s: float = 0):
    """The ledger as another process left it: the message claimed, no reply yet."""
    owner = f"{host}:{pid}:test"
    async with services.db.transaction() as s:
        beat = liveness.wall_now() - timedelta(seconds=beat_ago_s)
        await processes_repo.beat(s, owner, host, pid, beat)
        await inbound_repo.claim_many(
            s,
            [
                {
                    "dedup_key": key,
                    "channel": "mp",
                    "from_user": "o-crash",
                    "msg_type": "text",
                    "received_at": services.clock.now(),
                    "owner": owner,
                }
            ],
        )


async def _statuses(services) -> list[str]:
    async with services.db.session() as s:
        return list(await s.scalars(select(InboundMessage.status)))


def _key(services, msg_id: int) -> str:
    return f"mp:{services.settings.mp.app_id}:o-crash:{msg_id}"


async def test_a_retry_answers_at_once_a_message_whose_process_was_killed(client, services):
    body = wxmsg.text("o-crash", "你好", msg_id=8801, create_time=TS)
    await _first_attempt(
        services, _key(services, 8801), host=liveness.me(services).host, pid=_dead_pid()
    )
    status, reply = await mp_sender(client, services).post(body)
    assert status == 200 and reply.get("Content"), reply
    assert await _statuses(services) == ["done"]


async def test_a_retry_answers_a_message_whose_process_on_another_host_went_silent(
    client, services
):
    body = wxmsg.text("o-crash", "你好", msg_id=8802, create_time=TS)
    await _first_attempt(
        services, _key(services, 8802), host="web-2", pid=4242, beat_ago_s=liveness.DEAD_AFTER_S + 5
    )
    status, reply = await mp_sender(client, services).post(body)
    assert status == 200 and reply.get("Content"), reply
    assert await _statuses(services) == ["done"]


async def test_a_retry_waits_for_a_live_first_attempt_and_does_not_answer_twice(
    client, services, monkeypatch
):
    monkeypatch.setattr(services.settings.mp, "reply_budget_s", 0.3)
    body = wxmsg.text("o-crash", "你好", msg_id=8803, create_time=TS)
    await _first_attempt(services, _key(services, 8803), host="web-2", pid=4242)
    status, reply = await mp_sender(client, services).post(body)
    assert (status, reply) == (200, {})  # the live process answers it
    assert await _statuses(services) == ["processing"]


async def test_messages_a_gone_process_left_and_nobody_retried_are_marked_lost(services):
    await _first_attempt(services, "mp:x:msg:1", host="web-2", pid=4242, beat_ago_s=60)
    services.clock.freeze(NOW + timedelta(seconds=liveness.LOST_AFTER_S + 1))
    await liveness._sweep(services)
    assert await _statuses(services) == ["lost"]
