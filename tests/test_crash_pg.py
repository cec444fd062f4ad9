"""kill -9 with 20 booking confirmations in flight on PostgreSQL, then WeChat's resends (three
tries in all, 5 s each) going to a second process: all 20 answered, none left
``processing``, one ticket each."""

from __future__ import annotations

import asyncio
import time
import uuid

import aiohttp
import asyncpg
import pytest

from tests.conftest import make_settings
from tests.fakes import wxmsg
from tests.fakes.served import Http, Served

BOOKING = "明天上午来修一下客厅的格力空调 不制冷 电话13812345678"
ADDRESS = "上海市浦东新区张江路88弄3号501室"
N = 20

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def _sender(settings, http: Http) -> wxmsg.Sender:
    mp = settings.mp
    return wxmsg.Sender(
        http,
        "/wechat/mp",
        token=mp.token,
        timestamp=int(time.time()),
        aes_key=mp.encoding_aes_key,
        app_id=mp.app_id,
        mode="safe",
    )


async def _try(sender: wxmsg.Sender, body: str) -> tuple[int, dict] | None:
    try:
        return await sender.post(body)
    except (aiohttp.ClientError, TimeoutError):
        return None


async def _wechat_resends(first_try: asyncio.Task, sender: wxmsg.Sender, body: str) -> dict:
    """The first try went to the killed process; WeChat tries twice more (here: the survivor)."""
    result = await first_try
    for _ in range(2):
        if result is not None and result[0] == 200 and result[1]:
            break
        result = await _try(sender, body)
    assert result is not None, "no answer after three tries"
    return result[1]


async def test_a_killed_process_loses_no_booking_confirmation(pg_url, tmp_path):
    settings = make_settings(tmp_path / "unused.db")
    env = {"WXBOT_DATABASE__URL": pg_url}
    one = Served(env, "--role", "web", log_dir=tmp_path)
    two = Served(env, "--role", "web", log_dir=tmp_path)
    plain_dsn = pg_url.replace("postgresql+asyncpg://", "postgresql://")
    db = await asyncpg.connect(plain_dsn)
    users = [f"o-kill-{i:02d}-{uuid.uuid4().hex[:6]}" for i in range(N)]
    try:
        await asyncio.gather(one.healthy(), two.healthy())
        async with aiohttp.ClientSession() as http:
            to_one = _sender(settings, Http(http, one.url))
            to_two = _sender(settings, Http(http, two.url))

            async def mid_booking(user: str) -> str:
                await to_one.post(wxmsg.text(user, BOOKING))
                return (await to_one.post(wxmsg.text(user, ADDRESS)))[1].get("Content", "")

            summaries = await asyncio.gather(*(mid_booking(u) for u in users))
            assert all("核对" in s for s in summaries), summaries[:2]

            # hold the confirmations inside process one: tickets cannot be written yet
            lock = db.transaction()
            await lock.start()
            await db.execute("LOCK TABLE service_tickets IN SHARE MODE")
            confirms = [wxmsg.text(u, "确认") for u in users]
            first_tries = [asyncio.create_task(_try(to_one, b)) for b in confirms]
            async with asyncpg.create_pool(plain_dsn, min_size=1, max_size=1) as watch:
                for _ in range(200):
                    in_flight = await watch.fetchval(
                        "SELECT count(*) FROM inbound_messages WHERE status = 'processing'"
                    )
                    if in_flight == N:
                        break
                    await asyncio.sleep(0.02)
            assert in_flight == N
            one.proc.kill()  # kill -9
            one.proc.wait()
            await lock.rollback()

            replies = await asyncio.gather(
                *(_wechat_resends(t, to_two, b) for t, b in zip(first_tries, confirms, strict=True))
            )
        assert all(r.get("Content") for r in replies), replies
        assert (
            await db.fetchval("SELECT count(*) FROM inbound_messages WHERE status = 'processing'")
            == 0
        )
        tickets = await db.fetch("SELECT customer_id FROM service_tickets")
        assert len(tickets) == N and len({t["customer_id"] for t in tickets}) == N
    finally:
        await db.close()
        one.stop()
        two.stop()
