"""An Official Account message or event, once parsed: its dedup key, the customer bookkeeping
done with the claim, and what it becomes for the dialog (or the welcome / event answers)."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels import dedup
from bot.channels.mp_menu import button_for_key
from bot.context import Services
from bot.dialog import registry
from bot.messages import Inbound, Reply
from storage.repos import customers as customers_repo
from storage.repos import identities

log = logging.getLogger(__name__)

CHANNEL = "mp"

# Message types handed to the dialog; each keeps its kind so the dialog can answer it.
MESSAGE_KINDS = {"text", "image", "voice", "video", "shortvideo", "location", "link", "file"}
# Events: the ones the bot acts on, and the ones it only records.
EVENTS = {
    "subscribe",
    "unsubscribe",
    "scan",
    "location",
    "click",
    "view",
    "templatesendjobfinish",
    "subscribe_msg_popup_event",
    "subscribe_msg_change_event",
    "subscribe_msg_sent_event",
}
MAX_KEY = 200  # inbound_messages.dedup_key holds 300
# What opens WeChat's 48-hour customer-service window (messages, CLICK, subscribe, scan).
WINDOW_EVENTS = {"subscribe", "scan", "click"}

WELCOME_STORE = "欢迎来自{store}的朋友！"
WELCOME_BACK = "欢迎回来～需要报修、以旧换新或买滤芯，直接告诉我就好。"


@dataclass
class MpMessage:
    """The fields of one inbound message the channel cares about."""

    app_id: str
    data: dict[str, Any]
    openid: str
    msg_type: str  # lower-case MsgType
    event: str | None  # lower-case Event, for events
    customer_id: int | None = None
    store_name: str | None = None
    attributed: bool = False

    @classmethod
    def of(cls, app_id: str, data: dict[str, Any]) -> MpMessage:
        msg_type = str(data.get("MsgType") or "").strip().lower()
        event = str(data.get("Event") or "").strip().lower() if msg_type == "event" else None
        return cls(
            app_id=app_id,
            data=data,
            openid=str(data.get("FromUserName") or ""),
            msg_type=msg_type,
            event=event,
        )

    @property
    def text(self) -> str | None:
        """What the person wrote (a text, or a voice message's recognition)."""
        value = self.data.get("Content") or self.data.get("Recognition")
        return str(value).strip() if value else None

    @property
    def known(self) -> bool:
        if self.msg_type == "event":
            return self.event in EVENTS
        return self.msg_type in MESSAGE_KINDS

    @property
    def event_key(self) -> str:
        key = self.data.get("EventKey")
        return key if isinstance(key, str) else ""

    @property
    def label(self) -> str:
        """For metrics and logs: the message type, or the event's name."""
        return self.event or self.msg_type or "unknown"

    @property
    def scene(self) -> str | None:
        """The QR scene string of a subscribe (qrscene_…) or SCAN event."""
        key = self.event_key
        if self.event == "subscribe" and key.startswith("qrscene_"):
            return key[len("qrscene_") :]
        if self.event == "scan" and key:
            return key
        return None

    @property
    def dedup_key(self) -> str:
        """account + FromUserName + MsgId for messages; + CreateTime + Event + EventKey for events."""
        created = str(self.data.get("CreateTime") or "")
        if self.msg_type != "event" and self.data.get("MsgId"):
            return f"{CHANNEL}:{self.app_id}:{self.openid}:{self.data['MsgId']}"
        event = str(self.data.get("Event") or self.msg_type)
        key = f"{CHANNEL}:{self.app_id}:{self.openid}:{created}:{event}:{self.event_key}"
        if len(key) > MAX_KEY:  # a VIEW event's key is a whole URL
            digest = hashlib.sha1(key.encode("utf-8")).hexdigest()
            key = f"{CHANNEL}:{self.app_id}:{self.openid}:{created}:{event}:#{digest}"
        return key[:300]

    @property
    def goes_to_dialog(self) -> bool:
        return self.msg_type in MESSAGE_KINDS or self.event == "click"


async def bookkeeping(session: AsyncSession, services: Services, m: MpMessage) -> None:
    """Once per message, with its claim: find or create the customer, the 48-hour window,
    follow / unfollow, and QR-scene attribution."""
    now = services.clock.now()
    unionid = m.data.get("UnionId") or None
    if m.event == "unsubscribe":
        ident = await identities.find(session, CHANNEL, m.app_id, m.openid)
        if ident is None:
            return
        customer = await customers_repo.by_id(session, ident.customer_id)
        if customer is not None:
            customer.followed = False
            customer.unsubscribed_at = now
            m.customer_id = customer.id
        return
    if m.msg_type == "event" and m.event not in WINDOW_EVENTS:
        return  # VIEW, LOCATION, template / subscribe-message reports: nothing to record
    if m.event not in ("subscribe", "scan"):
        # the common case, someone writing: one look-up and one update for the whole batch
        dedup.defer(session, f"mp_touch:{m.app_id}", m, partial(_touch_many, now))
        return
    source = f"qrscene:{m.scene}" if m.scene else CHANNEL
    customer = await identities.customer_for(
        session, CHANNEL, m.app_id, m.openid, unionid=unionid, source=source
    )
    m.customer_id = customer.id
    customer.last_inbound_at = now
    if m.event == "subscribe":
        customer.followed = True
        customer.unsubscribed_at = None
    if m.scene:
        store = await customers_repo.attribute_scene(session, customer, m.scene)
        if store is not None:
            m.store_name, m.attributed = store, True
        else:
            log.info("mp: scene %r attributes nothing (unknown or already attributed)", m.scene)
    await session.flush()


async def _touch_many(now: datetime, session: AsyncSession, items: list[MpMessage]) -> None:
    """The 48-hour window for a batch of messages; first-time writers become customers."""
    app_id = items[0].app_id
    found = await identities.touch_customers(
        session, CHANNEL, app_id, [m.openid for m in items], now
    )
    plain = [m.openid for m in items if m.openid not in found and not m.data.get("UnionId")]
    if plain:  # first-time writers with nothing to link: created together
        found.update(await identities.create_customers(session, CHANNEL, app_id, plain, now))
    linked = False
    for m in items:
        if m.openid not in found:
            customer = await identities.customer_for(
                session, CHANNEL, app_id, m.openid, unionid=m.data.get("UnionId") or None
            )
            customer.last_inbound_at = now
            found[m.openid] = customer.id
            linked = True
        m.customer_id = found[m.openid]
    if linked:  # known writers were touched on the driver: nothing of theirs to flush
        await session.flush()


def to_inbound(services: Services, m: MpMessage) -> Inbound:
    """The dialog's view of a message (text, voice with recognition, media, CLICK)."""
    d = m.data
    inbound = Inbound(
        channel=CHANNEL,
        account=m.app_id,
        user_id=m.openid,
        kind=m.msg_type,
        received_at=services.clock.now(),
        media_id=d.get("MediaId") or None,
        unionid=d.get("UnionId") or None,
        dedup_key=m.dedup_key,
        raw=d,
    )
    if m.msg_type == "text":
        inbound.text = str(d.get("Content") or "").strip()
    elif m.msg_type == "voice":
        inbound.text = str(d.get("Recognition") or "").strip()
    elif m.msg_type == "image":
        inbound.media_id = d.get("MediaId") or None
    elif m.event == "click":
        inbound.event, inbound.event_key = "CLICK", m.event_key
        button = button_for_key(services.settings, m.event_key)
        if button is not None:
            inbound.text = button.name
            inbound.intent_hint = button.intent
        else:
            log.info("mp: CLICK on a key not in mp.menu: %r", m.event_key)
    return inbound


async def link_unionid_later(services: Services, m: MpMessage) -> None:
    """After a follow: ask WeChat for the follower's unionid (user info API, off the
    request path) and link the customer known by it elsewhere (e.g. a WeCom contact)."""
    from bot.wechat.mp_api import MpApi

    try:
        info = await MpApi.of(services).user_info(m.openid)
    except Exception as exc:  # noqa: BLE001 - enrichment is best effort
        log.info("mp: user info for a new follower failed (%s)", type(exc).__name__)
        return
    unionid = info.get("unionid") if isinstance(info, dict) else None
    if not unionid:
        return
    async with services.db.transaction() as session:
        await identities.link_unionid(session, CHANNEL, m.app_id, m.openid, unionid)


def event_reply(m: MpMessage) -> Reply | None:
    """What the bot answers to an event that does not go to the dialog."""
    if m.event == "subscribe":
        text = registry.welcome()
        if m.store_name:
            text = WELCOME_STORE.format(store=m.store_name) + text
        return Reply(text=text, intent="subscribe")
    if m.event == "scan":
        if m.attributed and m.store_name:
            return Reply(text=f"已为您关联{m.store_name}，" + WELCOME_BACK, intent="scan")
        return Reply(text=WELCOME_BACK, intent="scan")
    if m.event == "templatesendjobfinish":
        log.info("mp: template message %s: %s", m.data.get("MsgID"), m.data.get("Status"))
    elif m.event in ("subscribe_msg_popup_event", "subscribe_msg_sent_event"):
        log.info("mp: subscribe-message report %s", m.event)
    return None
