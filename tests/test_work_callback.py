"""/wechat/work: WeCom's URL verification and encrypted callbacks, Tencent's published
sample, security checks, exactly-once handling."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.models import InboundMessage
from tests.conftest import make_settings
from tests.test_work_kit import client_for, envelope, post, say, text

# Tencent's WeCom sample (WXBizMsgCrypt): token, corp id, key, URL check, an encrypted POST.
SAMPLE = {
    "token": "QDG6eK",
    "corp_id": "wx5823bf96d3bd56c7",
    "encoding_aes_key": "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
}
VERIFY = {
    "msg_signature": "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3",
    "timestamp": "1409659589",
    "nonce": "263014780",
    "echostr": "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==",
}
POST_QUERY = {
    "msg_signature": "477715d11cdb4164915debcba66cb864d751f3e6",
    "timestamp": "1409659813",
    "nonce": "1372623149",
}
POST_BODY = (
    "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><Encrypt><![CDATA["
    "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3Qczcd"
    "CUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4X"
    "gpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+"
    "KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4X"
    "XZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIG"
    "HBZZIs2pDBS8R07+qN+E7Q==]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>"
)


async def inbound_count(services) -> int:
    async with services.db.session() as s:
        return await s.scalar(select(func.count()).select_from(InboundMessage))


async def sample_services(db_path):
    from bot.context import build_services

    settings = make_settings(db_path, work=SAMPLE, security={"max_clock_skew_s": 0})
    return build_services(settings)


async def test_official_sample_url_verification(db_path):
    services = await sample_services(db_path)
    try:
        async with client_for(services) as client:
            resp = await client.get("/wechat/work", params=VERIFY)
            assert resp.status == 200
            assert await resp.text() == "1616140317555161061"
    finally:
        await services.close()


async def test_official_sample_post_is_decrypted_and_answered(db_path):
    from tests.test_work_kit import decrypt

    services = await sample_services(db_path)
    try:
        async with client_for(services) as client:
            resp = await client.post("/wechat/work", params=POST_QUERY, data=POST_BODY.encode())
            assert resp.status == 200
            reply = decrypt(services.settings, await resp.text())
            # "mycreate" is no one on the staff: a polite refusal, to them, from the corp.
            assert reply["ToUserName"] == "mycreate"
            assert reply["FromUserName"] == "wx5823bf96d3bd56c7"
            assert "员工信息" in reply["Content"]
            async with services.db.session() as s:
                row = await s.scalar(select(InboundMessage))
            assert row.dedup_key == "work:wx5823bf96d3bd56c7:218:mycreate:4561255354251345929"
    finally:
        await services.close()


async def test_sample_refused_with_the_timestamp_window_on(db_path):
    from bot.context import build_services

    settings = make_settings(db_path, work=SAMPLE)  # 300 s window, clock in 2026
    services = build_services(settings)
    try:
        async with client_for(services) as client:
            resp = await client.post("/wechat/work", params=POST_QUERY, data=POST_BODY.encode())
            assert resp.status == 403
            assert (await client.get("/wechat/work", params=VERIFY)).status == 403
        assert await inbound_count(services) == 0
    finally:
        await services.close()


async def test_bad_signature_is_403_and_writes_nothing(services):
    settings = services.settings
    query, body = envelope(settings, text("G001", "任务", corp=settings.work.corp_id))
    query["msg_signature"] = "0" * 40
    async with client_for(services) as client:
        resp = await client.post("/wechat/work", params=query, data=body.encode())
        assert resp.status == 403
        bad_verify = {**query, "echostr": "abc"}
        assert (await client.get("/wechat/work", params=bad_verify)).status == 403
    assert await inbound_count(services) == 0


async def test_oversized_body_is_413(services):
    settings = services.settings
    query, _ = envelope(settings, text("G001", "任务", corp=settings.work.corp_id))
    big = b"<xml><Encrypt>" + b"A" * 70000 + b"</Encrypt></xml>"
    async with client_for(services) as client:
        resp = await client.post("/wechat/work", params=query, data=big)
        assert resp.status == 413
    assert await inbound_count(services) == 0


async def test_dtd_entities_and_malformed_xml_are_refused_before_parsing(services):
    # 403 since issue 16 item 7: msg_signature over the Encrypt element is checked before
    # any XML parse, and none of these bodies holds an Encrypt that verifies (was 400).
    settings = services.settings
    query, _ = envelope(settings, text("G001", "任务", corp=settings.work.corp_id))
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><xml><Encrypt>&lol2;</Encrypt></xml>'
    )
    async with client_for(services) as client:
        for body in (laughs, "<xml><Encrypt>abc</xml>", "not xml at all"):
            resp = await client.post("/wechat/work", params=query, data=body.encode())
            assert resp.status == 403, body
    assert await inbound_count(services) == 0


async def test_dtd_inside_the_encrypted_message_is_400(services):
    settings = services.settings
    evil = '<!DOCTYPE x [<!ENTITY e "boom">]><xml><FromUserName>&e;</FromUserName></xml>'
    async with client_for(services) as client:
        status, _ = await post(client, settings, evil)
    assert status == 400
    assert await inbound_count(services) == 0


async def test_a_retry_gets_the_same_reply_and_runs_once(services):
    from bot.demo import seed_demo
    from storage.models import SalesLead

    await seed_demo(services)
    settings = services.settings
    msg = text("G001", "商机 王先生 想换冰箱 预算5000", corp=settings.work.corp_id, msg_id=42)
    async with client_for(services) as client:
        first = await post(client, settings, msg, nonce="1")
        again = await post(client, settings, msg, nonce="2")
    assert first[0] == again[0] == 200
    assert first[1]["Content"] == again[1]["Content"]
    async with services.db.session() as s:
        assert await s.scalar(select(func.count()).select_from(SalesLead)) == 1
    assert await inbound_count(services) == 1


async def test_unexpected_errors_are_an_empty_200(services, monkeypatch):
    import bot.work.router

    async def boom(*a, **k):
        raise RuntimeError("boom")

    monkeypatch.setattr(bot.work.router, "run_command", boom)
    from bot.demo import seed_demo

    await seed_demo(services)
    async with client_for(services) as client:
        assert await say(client, services.settings, "G001", "任务") == ""


async def test_unknown_staff_is_refused_politely(services):
    async with client_for(services) as client:
        answer = await say(client, services.settings, "stranger", "任务")
    assert "员工信息" in answer


async def test_a_slow_answer_is_acknowledged_and_follows_as_an_app_message(services, monkeypatch):
    import asyncio

    import bot.channels.work
    import bot.work.router
    from bot.demo import seed_demo
    from bot.messages import Reply
    from storage.models import OutboxMessage

    await seed_demo(services)

    async def slow(services_, staff, text_):
        await asyncio.sleep(0.3)
        return Reply(text="慢慢来的回答")

    monkeypatch.setattr(bot.channels.work, "REPLY_BUDGET_S", 0.05)
    monkeypatch.setattr(bot.work.router, "run_command", slow)
    async with client_for(services) as client:
        assert await say(client, services.settings, "G001", "任务") == ""
        for _ in range(100):  # the late reply lands in the outbox when the work finishes
            async with services.db.session() as s:
                row = await s.scalar(select(OutboxMessage))
            if row is not None and row.status == "sent":
                break
            await asyncio.sleep(0.02)
    assert (row.channel, row.recipient, row.text, row.kind) == (
        "work_app",
        "G001",
        "慢慢来的回答",
        "reply",
    )


async def test_voice_recognition_works_like_text_and_events_are_quiet(services):
    from bot.demo import seed_demo
    from tests.fakes import wxmsg
    from tests.test_work_kit import TS

    await seed_demo(services)
    corp = services.settings.work.corp_id
    voice = wxmsg.xml(
        {
            "ToUserName": corp,
            "FromUserName": "G001",
            "CreateTime": TS,
            "MsgType": "voice",
            "MediaId": "m1",
            "Format": "amr",
            "Recognition": "今天任务",
            "MsgId": 99,
            "AgentID": 1000002,
        }
    )
    enter = wxmsg.xml(
        {
            "ToUserName": corp,
            "FromUserName": "G001",
            "CreateTime": TS,
            "MsgType": "event",
            "Event": "enter_agent",
            "EventKey": "",
            "AgentID": 1000002,
        }
    )
    image = wxmsg.xml(
        {
            "ToUserName": corp,
            "FromUserName": "G001",
            "CreateTime": TS,
            "MsgType": "image",
            "PicUrl": "http://x",
            "MediaId": "m2",
            "MsgId": 100,
            "AgentID": 1000002,
        }
    )
    async with client_for(services) as client:
        status, reply = await post(client, services.settings, voice)
        assert "今天没有待办任务" in reply["Content"]
        assert await post(client, services.settings, enter) == (200, {})
        status, reply = await post(client, services.settings, image)
        assert "文字命令" in reply["Content"]


async def test_a_message_for_another_corp_is_403(services):
    from bot.config import WorkSettings

    other = services.settings.model_copy(
        update={
            "work": WorkSettings(
                **{**services.settings.work.model_dump(), "corp_id": "wwOTHERCORP"}
            )
        }
    )
    query, body = envelope(other, text("G001", "任务", corp="wwOTHERCORP"))
    async with client_for(services) as client:
        resp = await client.post("/wechat/work", params=query, data=body.encode())
        assert resp.status == 403
    assert await inbound_count(services) == 0
