"""A message is read up to ``nlu.max_text_chars`` (500) and never freezes the server.

Before: the whole message went through normalisation, every entity pattern and the dialog;
4,000 × 一 took 1.6 s in ``bot.nlu.parse``, and an encrypted 64 KB message of 一 held
``/healthz`` for 41.6 s (issue 16, item 2).
"""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import datetime

import pytest
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bot.nlu
from bot import dialog
from bot.messages import Inbound
from bot.nlu.core import Pipeline
from bot.nlu.limits import INLINE_CHARS, MAX_TEXT_CHARS
from tests.conftest import NOW, SHANGHAI
from tests.fakes import wxmsg
from tests.fakes.mp import TS, mp_app, mp_sender
from tests.security.adversarial_text import CASES, build

PHONE_TAIL = "电话13812345678"


# bot.nlu.parse: the head only


def test_parse_reads_the_head_of_a_long_message_only() -> None:
    head = "空调不制冷了，麻烦明天上午来修"
    text = head + " " * (MAX_TEXT_CHARS - len(head)) + PHONE_TAIL + "一" * 60_000
    p = bot.nlu.parse(text, now=NOW)
    assert len(p.text) <= MAX_TEXT_CHARS
    assert p.first("phone") is None  # past the limit: ignored
    assert p.intent == bot.nlu.parse(head, now=NOW).intent
    assert p.first("datetime") is not None and p.first("symptom") is not None


def test_the_limit_is_a_setting() -> None:
    head = "空调不制冷了，麻烦明天上午来修"
    text = head + " " * (MAX_TEXT_CHARS - len(head)) + PHONE_TAIL
    wider = Pipeline({"max_text_chars": 1000}, SHANGHAI)
    assert wider.parse(text, now=NOW).first("phone").value == "13812345678"
    narrow = Pipeline({"max_text_chars": 10}, SHANGHAI)
    assert narrow.parse(head + PHONE_TAIL, now=NOW).first("datetime") is None


# The dialog: one place where customer text comes in


async def _respond(services, user: str, text: str):
    inbound = Inbound("mp", services.settings.mp.app_id, user, "text", NOW, text=text)
    return await dialog.respond(services, inbound), inbound


async def test_the_dialog_reads_the_head_only_and_answers_as_for_the_head(
    services, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[int] = []
    real = bot.nlu.aparse

    async def spy(text, settings, now=None):
        seen.append(len(text))
        return await real(text, settings, now)

    monkeypatch.setattr(bot.nlu, "aparse", spy)
    head = "我要报修，空调不制冷了"
    short, _ = await _respond(services, "o-head", head)
    long_, inbound = await _respond(services, "o-long", head + "一" * 20_000)
    assert seen == [len(head), MAX_TEXT_CHARS]
    assert len(inbound.text) == MAX_TEXT_CHARS  # handlers see the same head
    assert long_.text == short.text and long_.intent == short.intent


async def test_a_long_message_is_parsed_off_the_event_loop(
    services, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot.nlu.configure(services.settings)
    threads: list[bool] = []
    real = Pipeline.parse

    def spy(self, text, now=None, tz=None):
        threads.append(threading.current_thread() is threading.main_thread())
        return real(self, text, now=now, tz=tz)

    monkeypatch.setattr(Pipeline, "parse", spy)
    await bot.nlu.aparse("滤芯该换了", services.settings, NOW)
    await bot.nlu.aparse("一" * (INLINE_CHARS + 1), services.settings, NOW)
    assert threads == [True, False]  # short: on the loop; long: in a worker thread


# Through the webhook: a 60 KB body is answered, and /healthz answers meanwhile


@pytest.mark.parametrize("content", ["一" * 15_000, "1" * 45_000], ids=["cjk-45KB", "digits"])
async def test_a_60kb_message_is_answered_and_healthz_answers_meanwhile(
    services, content: str
) -> None:
    bot.nlu.configure(services.settings)
    async with TestClient(TestServer(mp_app(services))) as client:
        wx = mp_sender(client, services, "safe")
        (query, body), _ = wx.build(wxmsg.text("o-big", content, create_time=TS))
        assert 55_000 < len(body) <= services.settings.security.max_body_bytes

        post = asyncio.ensure_future(client.post("/wechat/mp", params=query, data=body.encode()))
        longest_stall, health = 0.0, []
        while not post.done():
            t0 = time.perf_counter()
            resp = await client.get("/healthz")
            health.append(resp.status)
            await asyncio.sleep(0.005)
            longest_stall = max(longest_stall, time.perf_counter() - t0)
        resp = await post
        assert resp.status == 200
        reply = wxmsg.decrypt_reply(
            await resp.text(),
            token=services.settings.mp.token,
            aes_key=services.settings.mp.encoding_aes_key,
            app_id=services.settings.mp.app_id,
        )
    assert wxmsg.parse_reply(reply)["MsgType"] == "text"
    assert health and set(health) == {200}
    # generous: before the fix the loop stood still for the whole parse (20-40 s here)
    assert longest_stall < 2.0, f"/healthz waited {longest_stall:.2f} s"


# Fuzz: random text up to the limit never raises; the slowest parse is printed

_ALPHABET = st.one_of(
    st.characters(codec="utf-8"),
    st.sampled_from(
        list("一二两三十百千万零〇号月日年点分半时路街弄区市省栋单元室楼层明天今后周期上下午晚早")
    ),
    st.sampled_from(list("0123456789０１２３-:：/. ,，。老板空调格力E")),
)
_TEXTS = st.one_of(
    st.text(_ALPHABET, max_size=MAX_TEXT_CHARS),
    st.builds(build, st.sampled_from(sorted(CASES.values())), st.integers(1, MAX_TEXT_CHARS)),
)
_slowest: list[tuple[float, int]] = []


@settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(text=_TEXTS)
def test_fuzz_parse_never_raises(text: str) -> None:
    pipeline = bot.nlu.current_pipeline()  # built (warm-up) before the clock starts
    t0 = time.process_time()
    p = pipeline.parse(text, now=datetime(2026, 11, 26, 10, tzinfo=SHANGHAI))
    _slowest.append((time.process_time() - t0, len(text)))
    assert p.intent and all(0 <= e.start <= e.end <= len(text) for e in p.entities)


def test_fuzz_figure(capsys: pytest.CaptureFixture[str]) -> None:
    """Prints the slowest parse of the fuzz run above (a figure, not an assertion)."""
    if not _slowest:
        pytest.skip("the fuzz test did not run")
    worst, length = max(_slowest)
    with capsys.disabled():
        print(
            f"\nnlu fuzz: {len(_slowest)} texts up to {MAX_TEXT_CHARS} chars, slowest parse"
            f" {worst * 1000:.1f} ms CPU ({length} chars)"
        )
