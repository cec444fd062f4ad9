"""Events: follow / unfollow, QR-scene attribution, menu clicks, and the ones only recorded."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

import bot.dialog
from bot.messages import Inbound, Reply
from storage.models import ChannelIdentity, Customer, InboundMessage, Staff, Store
from tests.conftest import NOW
from tests.fakes import wxmsg
from tests.fakes.mp import mp_app, mp_sender, settings_in_mode

TS = int(NOW.timestamp())


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch) -> list[Inbound]:
    calls: list[Inbound] = []

    async def stub(services, inbound):
        calls.append(inbound)
        return Reply(text=f"好的，{inbound.text}", intent=inbound.intent_hint or "unknown")

    monkeypatch.setattr(bot.dialog, "respond", stub)
    return calls


@pytest.fixture
def settings(request, db_path):
    """The account in the mode the test posts in (plain when it posts in several)."""
    return settings_in_mode(request, db_path)


@pytest.fixture
async def client(services):
    async with TestClient(TestServer(mp_app(services))) as c:
        yield c


@pytest.fixture
async def shop(services):
    async with services.db.transaction() as s:
        store = Store(code="SH001", name="徐汇旗舰店", city="上海")
        s.add(store)
        await s.flush()
        s.add(Staff(store_id=store.id, name="王导购", wecom_userid="wang.guide"))
    return store


def wx(client, services, mode: str = "safe") -> wxmsg.Sender:
    return mp_sender(client, services, mode)


async def customer_of(services, openid: str) -> Customer | None:
    async with services.db.session() as s:
        ident = await s.scalar(select(ChannelIdentity).where(ChannelIdentity.external_id == openid))
        return await s.get(Customer, ident.customer_id) if ident else None


async def test_subscribe_creates_the_customer_and_welcomes(client, services, seen):
    status, reply = await wx(client, services).post(
        wxmsg.event("subscribe", from_user="o-new", create_time=TS)
    )
    assert status == 200
    assert "感谢关注" in reply["Content"] and "报修" in reply["Content"]
    customer = await customer_of(services, "o-new")
    assert customer.followed is True
    assert customer.last_inbound_at == NOW
    assert customer.store_id is None
    assert seen == []  # the welcome is the channel's, not the dialog's


async def test_subscribe_links_an_existing_customer_by_unionid(client, services, seen):
    async with services.db.transaction() as s:
        c = Customer(name="李女士", phone="13800000001")
        s.add(c)
        await s.flush()
        s.add(
            ChannelIdentity(
                customer_id=c.id, channel="work", account="corp", external_id="wm-1", unionid="u-1"
            )
        )
    await wx(client, services).post(
        wxmsg.event("subscribe", from_user="o-linked", create_time=TS, UnionId="u-1")
    )
    customer = await customer_of(services, "o-linked")
    assert customer.name == "李女士"


async def test_subscribe_from_a_store_qr_code_attributes_the_store(client, services, seen, shop):
    _, reply = await wx(client, services).post(
        wxmsg.event(
            "subscribe",
            from_user="o-store",
            key="qrscene_store:SH001",
            Ticket="t-1",
            create_time=TS,
        )
    )
    assert reply["Content"].startswith("欢迎来自徐汇旗舰店的朋友")
    customer = await customer_of(services, "o-store")
    assert customer.store_id == shop.id
    assert customer.source == "qrscene:store:SH001"


async def test_subscribe_from_a_guide_qr_code_attributes_guide_and_store(
    client, services, seen, shop
):
    await wx(client, services).post(
        wxmsg.event("subscribe", from_user="o-guide", key="qrscene_guide:wang.guide", Ticket="t")
    )
    customer = await customer_of(services, "o-guide")
    async with services.db.session() as s:
        guide = await s.scalar(select(Staff).where(Staff.wecom_userid == "wang.guide"))
    assert (customer.guide_id, customer.store_id) == (guide.id, shop.id)


async def test_unknown_scene_attributes_nothing_but_still_welcomes(client, services, seen, shop):
    _, reply = await wx(client, services).post(
        wxmsg.event("subscribe", from_user="o-x", key="qrscene_store:NOPE", Ticket="t")
    )
    assert "感谢关注" in reply["Content"]
    assert (await customer_of(services, "o-x")).store_id is None


async def test_scan_by_an_existing_follower_attributes_once(client, services, seen, shop):
    sender = wx(client, services)
    await sender.post(wxmsg.event("subscribe", from_user="o-scan", create_time=TS))
    _, reply = await sender.post(
        wxmsg.event("SCAN", from_user="o-scan", key="store:SH001", Ticket="t", create_time=TS + 5)
    )
    assert "徐汇旗舰店" in reply["Content"]
    assert (await customer_of(services, "o-scan")).store_id == shop.id

    async with services.db.transaction() as s:
        other = Store(code="BJ001", name="朝阳店")
        s.add(other)
    _, reply = await sender.post(
        wxmsg.event("SCAN", from_user="o-scan", key="store:BJ001", Ticket="t", create_time=TS + 9)
    )
    assert (await customer_of(services, "o-scan")).store_id == shop.id  # first touch kept
    assert "朝阳店" not in reply["Content"]


async def test_unsubscribe_marks_and_resubscribe_restores(client, services, seen):
    sender = wx(client, services)
    await sender.post(wxmsg.event("subscribe", from_user="o-bye", create_time=TS - 100))
    status, reply = await sender.post(
        wxmsg.event("unsubscribe", from_user="o-bye", create_time=TS - 50)
    )
    assert (status, reply) == (200, {})
    customer = await customer_of(services, "o-bye")
    assert customer.followed is False
    assert customer.unsubscribed_at == NOW

    _, reply = await sender.post(wxmsg.event("subscribe", from_user="o-bye", create_time=TS))
    assert "感谢关注" in reply["Content"]
    customer = await customer_of(services, "o-bye")
    assert customer.followed is True and customer.unsubscribed_at is None


async def test_unsubscribe_of_a_stranger_writes_no_customer(client, services, seen):
    assert await wx(client, services).post(wxmsg.event("unsubscribe", from_user="o-ghost")) == (
        200,
        {},
    )
    assert await customer_of(services, "o-ghost") is None


@pytest.mark.parametrize(
    "key,name,intent",
    [
        ("MENU_REPAIR", "报修", "repair"),
        ("MENU_TRADE_IN", "以旧换新", "trade_in"),
        ("MENU_FILTER", "买滤芯", "filter_reorder"),
        ("MENU_DEVICES", "我的设备", "warranty"),
        ("MENU_HUMAN", "人工客服", "human_agent"),
    ],
)
async def test_menu_click_goes_to_the_dialog_as_its_intent(
    client, services, seen, key, name, intent
):
    _, reply = await wx(client, services).post(wxmsg.event("CLICK", from_user="o-menu", key=key))
    assert reply["Content"] == f"好的，{name}"
    [inbound] = seen
    assert (inbound.kind, inbound.event, inbound.event_key) == ("event", "CLICK", key)
    assert (inbound.text, inbound.intent_hint) == (name, intent)
    assert (await customer_of(services, "o-menu")).last_inbound_at == NOW


async def test_click_on_a_key_not_in_the_menu_still_reaches_the_dialog(client, services, seen):
    await wx(client, services).post(wxmsg.event("CLICK", from_user="o-m", key="OLD_KEY"))
    assert seen[0].intent_hint is None and seen[0].event_key == "OLD_KEY"


@pytest.mark.parametrize(
    "body",
    [
        wxmsg.event("VIEW", from_user="o-quiet", key="https://example.com/shop"),
        wxmsg.event(
            "LOCATION", from_user="o-quiet", Latitude="31.2", Longitude="121.4", Precision="65.0"
        ),
        wxmsg.event("TEMPLATESENDJOBFINISH", from_user="o-quiet", MsgID=2001, Status="success"),
        wxmsg.event(
            "subscribe_msg_popup_event",
            from_user="o-quiet",
            SubscribeMsgPopupEvent={
                "List": {
                    "TemplateId": "tpl-1",
                    "SubscribeStatusString": "accept",
                    "PopupScene": "0",
                }
            },
        ),
        wxmsg.event(
            "subscribe_msg_sent_event",
            from_user="o-quiet",
            SubscribeMsgSentEvent={
                "List": {"TemplateId": "tpl-1", "MsgID": "1", "ErrorCode": "0", "ErrorStatus": "ok"}
            },
        ),
    ],
    ids=["view", "location", "templatesendjobfinish", "popup", "sent"],
)
async def test_events_that_are_only_recorded_get_an_empty_200(client, services, seen, body):
    for mode in ("plain", "safe"):
        assert await wx(client, services, mode).post(body) == (200, {})
    assert seen == []
    async with services.db.session() as s:
        assert len(list(await s.scalars(select(InboundMessage)))) == 1  # once, the retry deduped
    assert await customer_of(services, "o-quiet") is None  # these do not open the 48h window


async def test_subscribe_retry_creates_one_customer_and_the_same_welcome(client, services, seen):
    body = wxmsg.event("subscribe", from_user="o-once", create_time=TS)
    _, first = await wx(client, services).post(body)
    _, again = await wx(client, services).post(body)
    assert first["Content"] == again["Content"]
    async with services.db.session() as s:
        idents = list(
            await s.scalars(select(ChannelIdentity).where(ChannelIdentity.external_id == "o-once"))
        )
    assert len(idents) == 1


async def test_a_new_follower_is_linked_by_the_unionid_wechat_reports(db_path, seen):
    """Live mode: after the welcome, the user-info API gives the unionid, and the follower
    joins the customer a guide already knows through WeCom (keeping the store QR scene)."""
    import asyncio

    from bot.context import build_services
    from tests.conftest import make_settings
    from tests.fakes.wechat_api import FakeWeChat

    async with FakeWeChat() as fake:
        settings = make_settings(db_path, sandbox=False, mp={"api_base_url": fake.base_url})
        services = build_services(settings, now=NOW)
        try:
            async with services.db.transaction() as s:
                store = Store(code="SH001", name="徐汇旗舰店")
                known = Customer(name="李女士", phone="13800000002")
                s.add_all([store, known])
                await s.flush()
                s.add(
                    ChannelIdentity(
                        customer_id=known.id,
                        channel="work",
                        account="corp",
                        external_id="wm-li",
                        unionid="u-li",
                    )
                )
            fake.script(
                "/cgi-bin/user/info", [{"subscribe": 1, "openid": "o-li", "unionid": "u-li"}]
            )
            async with TestClient(TestServer(mp_app(services))) as client:
                _, reply = await wx(client, services).post(
                    wxmsg.event("subscribe", from_user="o-li", key="qrscene_store:SH001")
                )
                assert "感谢关注" in reply["Content"]
                for _ in range(300):
                    customer = await customer_of(services, "o-li")
                    if customer.id == known.id:
                        break
                    await asyncio.sleep(0.01)
            assert customer.id == known.id
            assert customer.store_id == store.id and customer.followed is True
            assert [c.query["openid"] for c in fake.calls("/cgi-bin/user/info")] == ["o-li"]
        finally:
            await services.close()
