"""/wechat/mp: server verification, the three modes, every message and event type."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

import bot.dialog
from bot.app import create_app
from bot.messages import Inbound, Reply
from storage.models import ChannelIdentity, Customer, InboundMessage
from tests.conftest import NOW
from tests.fakes import wxmsg
from tests.fakes.mp import mp_app, mp_sender, settings_in_mode

TS = int(NOW.timestamp())
MODES = ["plain", "compatible", "safe"]


class DialogStub:
    """Stands in for the dialog: records what it was given, answers with a fixed text."""

    def __init__(self, answer: str = "收到～") -> None:
        self.answer = answer
        self.seen: list[Inbound] = []

    async def __call__(self, services, inbound: Inbound) -> Reply:
        self.seen.append(inbound)
        return Reply(text=self.answer, intent=inbound.intent_hint or "unknown")


@pytest.fixture
def dialog(monkeypatch: pytest.MonkeyPatch) -> DialogStub:
    stub = DialogStub()
    monkeypatch.setattr(bot.dialog, "respond", stub)
    return stub


@pytest.fixture
def settings(request, db_path):
    """The account in the mode the test posts in (plain when it posts in several)."""
    return settings_in_mode(request, db_path)


@pytest.fixture
async def client(services):
    async with TestClient(TestServer(mp_app(services))) as c:
        yield c


def sender(client, services, mode: str = "safe") -> wxmsg.Sender:
    return mp_sender(client, services, mode)


async def count(services, model) -> int:
    async with services.db.session() as s:
        return await s.scalar(select(func.count()).select_from(model))


# Server verification


async def test_verification_echoes_echostr_when_signed(client, services):
    q = wxmsg.signed_query(services.settings.mp.token, TS, "42", echostr="hello-wechat")
    resp = await client.get("/wechat/mp", params=q)
    assert resp.status == 200
    assert await resp.text() == "hello-wechat"


async def test_verification_with_a_bad_signature_is_refused(client, services):
    q = wxmsg.signed_query("not-the-token", TS, "42", echostr="hello-wechat")
    resp = await client.get("/wechat/mp", params=q)
    assert resp.status == 403
    assert "hello-wechat" not in await resp.text()


async def test_verification_with_a_stale_timestamp_is_refused(client, services):
    q = wxmsg.signed_query(services.settings.mp.token, TS - 3600, "42", echostr="old")
    resp = await client.get("/wechat/mp", params=q)
    assert resp.status == 403


# The three modes


@pytest.mark.parametrize("mode", MODES)
async def test_text_in_every_mode_gets_the_dialog_reply_in_that_mode(
    client, services, dialog, mode
):
    wx = sender(client, services, mode)
    status, reply = await wx.post(wxmsg.text("o-user-1", "空调不制冷了", create_time=TS))
    assert status == 200
    assert reply["MsgType"] == "text"
    assert reply["Content"] == "收到～"
    assert reply["ToUserName"] == "o-user-1"
    assert reply["FromUserName"] == "gh_sandbox0000"
    assert dialog.seen[0].text == "空调不制冷了"
    assert dialog.seen[0].kind == "text"
    assert dialog.seen[0].user_key == "mp:o-user-1"


async def test_encrypted_reply_is_an_envelope_not_plaintext(client, services, dialog):
    wx = sender(client, services, "safe")
    (query, body), _ = wx.build(wxmsg.text("o-user-1", "你好", create_time=TS))
    resp = await client.post("/wechat/mp", params=query, data=body.encode())
    raw = await resp.text()
    assert "<Encrypt>" in raw and "<MsgSignature>" in raw
    assert "收到" not in raw


# Every message type


async def test_real_dialog_answers_a_text(client, services):
    status, reply = await sender(client, services).post(wxmsg.text("o-real", "你好"))
    assert status == 200
    assert reply["MsgType"] == "text" and reply["Content"]


async def test_voice_recognition_is_routed_like_text(client, services, dialog):
    status, reply = await sender(client, services).post(wxmsg.voice("o-v", "我要报修洗衣机"))
    assert reply["Content"] == "收到～"
    seen = dialog.seen[0]
    assert (seen.kind, seen.text, seen.media_id) == ("voice", "我要报修洗衣机", "media-voice-1")


async def test_image_goes_to_the_dialog_with_its_media_id(client, services, dialog):
    status, reply = await sender(client, services).post(wxmsg.image("o-i", "inv-photo-9"))
    assert reply["Content"] == "收到～"
    assert (dialog.seen[0].kind, dialog.seen[0].media_id) == ("image", "inv-photo-9")


@pytest.mark.parametrize(
    "build,kind",
    [
        (lambda u: wxmsg.video(u), "video"),
        (lambda u: wxmsg.video(u, short=True), "shortvideo"),
        (lambda u: wxmsg.location(u), "location"),
        (lambda u: wxmsg.link(u), "link"),
        (lambda u: wxmsg.file(u), "file"),
    ],
)
async def test_other_messages_reach_the_dialog_with_their_kind(
    client, services, dialog, build, kind
):
    status, reply = await sender(client, services).post(build("o-other"))
    assert status == 200 and reply["Content"] == "收到～"
    assert dialog.seen[0].kind == kind
    assert dialog.seen[0].raw["MsgType"] == kind


async def test_location_message_keeps_its_label_for_the_dialog(client, services, dialog):
    await sender(client, services).post(wxmsg.location("o-loc", label="杭州市西湖区文三路1号"))
    assert dialog.seen[0].raw["Label"] == "杭州市西湖区文三路1号"


async def test_every_message_records_the_customer_and_the_48_hour_window(client, services, dialog):
    await sender(client, services).post(wxmsg.text("o-window", "在吗"))
    async with services.db.session() as s:
        ident = await s.scalar(
            select(ChannelIdentity).where(ChannelIdentity.external_id == "o-window")
        )
        customer = await s.get(Customer, ident.customer_id)
    assert ident.channel == "mp" and ident.account == services.settings.mp.app_id
    assert customer.last_inbound_at == NOW


async def test_unknown_message_type_gets_an_empty_200_and_no_dialog(client, services, dialog):
    body = wxmsg.message("hologram", from_user="o-x", Content="?")
    status, reply = await sender(client, services).post(body)
    assert (status, reply) == (200, {})
    assert dialog.seen == []


async def test_unknown_event_gets_an_empty_200(client, services, dialog):
    status, reply = await sender(client, services).post(
        wxmsg.event("brand_new_event", from_user="o-x")
    )
    assert (status, reply) == (200, {})
    assert dialog.seen == []


async def test_an_exploding_dialog_is_answered_empty_never_500(client, services, monkeypatch):
    async def boom(services, inbound):
        raise RuntimeError("dialog bug")

    monkeypatch.setattr(bot.dialog, "respond", boom)
    status, reply = await sender(client, services).post(wxmsg.text("o-boom", "你好"))
    assert (status, reply) == (200, {})
    assert await count(services, InboundMessage) == 1


async def test_transfer_customer_service_reply(client, services, monkeypatch):
    async def handoff(services, inbound):
        return Reply(transfer_customer_service=True, intent="human_agent")

    monkeypatch.setattr(bot.dialog, "respond", handoff)
    status, reply = await sender(client, services).post(wxmsg.text("o-h", "转人工"))
    assert reply["MsgType"] == "transfer_customer_service"
    assert reply["ToUserName"] == "o-h"


async def test_image_reply(client, services, monkeypatch):
    async def picture(services, inbound):
        return Reply(image_media_id="qr-media-1", intent="warranty")

    monkeypatch.setattr(bot.dialog, "respond", picture)
    status, reply = await sender(client, services).post(wxmsg.text("o-p", "保修卡"))
    assert reply["MsgType"] == "image"
    assert reply["Image"]["MediaId"] == "qr-media-1"


async def test_messages_are_counted_in_metrics(client, services, dialog):
    await sender(client, services).post(wxmsg.text("o-m", "你好"))
    resp = await client.get("/metrics")
    assert 'wxbot_messages_total{channel="mp",intent="unknown"} 1.0' in await resp.text()


async def test_the_full_app_serves_the_channel(services, dialog):
    """create_app with every channel: /wechat/mp is mounted by setup_channels."""
    async with TestClient(TestServer(create_app(services))) as full:
        q = wxmsg.signed_query(services.settings.mp.token, TS, "7", echostr="ok-echo")
        assert await (await full.get("/wechat/mp", params=q)).text() == "ok-echo"
        status, reply = await sender(full, services).post(wxmsg.text("o-full", "你好"))
    assert (status, reply["Content"]) == (200, "收到～")


EVERY_TYPE = {
    "text": lambda u: wxmsg.text(u, "你好"),
    "voice": lambda u: wxmsg.voice(u, "我要买滤芯"),
    "voice-no-recognition": lambda u: wxmsg.voice(u),
    "image": lambda u: wxmsg.image(u),
    "video": lambda u: wxmsg.video(u),
    "shortvideo": lambda u: wxmsg.video(u, short=True),
    "location": lambda u: wxmsg.location(u),
    "link": lambda u: wxmsg.link(u),
    "file": lambda u: wxmsg.file(u),
    "subscribe": lambda u: wxmsg.event("subscribe", from_user=u),
    "subscribe-qrscene": lambda u: wxmsg.event("subscribe", from_user=u, key="qrscene_42"),
    "SCAN": lambda u: wxmsg.event("SCAN", from_user=u, key="42", Ticket="t"),
    "CLICK": lambda u: wxmsg.event("CLICK", from_user=u, key="MENU_FILTER"),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kind", list(EVERY_TYPE))
async def test_every_answered_type_in_every_mode(client, services, dialog, mode, kind):
    status, reply = await sender(client, services, mode).post(EVERY_TYPE[kind](f"o-{kind}"))
    assert status == 200
    assert reply["MsgType"] == "text" and reply["Content"]
    assert reply["ToUserName"] == f"o-{kind}"
