"""Customers added by guides (WeCom customer contact, Event=change_external_contact).

add_external_contact: link the external_userid to a customer — the one named by the guide's
QR code ``State`` ("c:<customer id>"), else the one with the same unionid (fetched with
externalcontact/get), else a new customer attributed to the State's store ("store:S001") or
to the guide — then send the welcome message with the WelcomeCode (20-second window).
del_external_contact / del_follow_user: the identity goes inactive. edit_external_contact:
name and unionid are synced.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from bot.channels.work_inbound import WorkMessage
from bot.context import Services
from bot.work.staff import Who, who
from bot.work.welcome import send_welcome
from storage.models import ChannelIdentity, Customer
from storage.repos import customers as customers_repo
from storage.repos import handover as handover_repo
from storage.repos import identities

log = logging.getLogger(__name__)

CHANNEL = "work"
FETCH_TIMEOUT_S = 3.0
ADDED = {"add_external_contact", "add_half_external_contact"}
REMOVED = {"del_external_contact", "del_follow_user"}


async def fetch_contact(services: Services, external_userid: str) -> dict[str, Any]:
    """externalcontact/get's ``external_contact`` ({} in sandbox or on any failure)."""
    if services.settings.sandbox:
        return {}
    from bot.wechat.work_api import WorkApi

    api = WorkApi.of(services)
    try:
        data = await asyncio.wait_for(
            api.call(lambda c: c.external_contact.get(external_userid)), FETCH_TIMEOUT_S
        )
    except Exception as exc:  # noqa: BLE001 - linking goes on without it
        log.warning("work: externalcontact/get failed (%s)", type(exc).__name__)
        return {}
    contact = data.get("external_contact") if isinstance(data, dict) else None
    return contact if isinstance(contact, dict) else {}


async def handle_event(services: Services, m: WorkMessage) -> None:
    ct = m.change_type
    ext = m.external_userid
    if not ext:
        log.info("work: %s without ExternalUserID; ignored", ct)
        return
    if ct in ADDED:
        await added(services, m)
    elif ct in REMOVED:
        await removed(services, m)
    elif ct == "edit_external_contact":
        await edited(services, m)
    elif ct == "transfer_fail":
        await transfer_failed(services, m)
    else:
        log.info("work: customer-contact change %s recorded only", ct)


async def _customer_from_state(s, state: str) -> Customer | None:
    kind, _, value = state.partition(":")
    if kind == "c" and value.isdigit():
        return await customers_repo.by_id(s, int(value))
    return None


async def link(
    services: Services, guide: Who | None, m: WorkMessage, contact: dict[str, Any]
) -> int:
    """Find or create the customer behind this external contact and the identity. Returns
    the customer id."""
    corp = services.settings.work.corp_id
    ext, state = m.external_userid, str(m.data.get("State") or "").strip()
    unionid = contact.get("unionid") or None
    async with services.db.transaction() as s:
        ident = await identities.find(s, CHANNEL, corp, ext)
        if ident is not None:
            customer = await s.get(Customer, ident.customer_id)
        else:
            customer = await _customer_from_state(s, state)
            if customer is None:
                customer = await identities.customer_for(
                    s, CHANNEL, corp, ext, unionid=unionid, source=f"work:{state or m.userid}"[:64]
                )
                ident = await identities.find(s, CHANNEL, corp, ext)
            else:
                ident = ChannelIdentity(
                    customer_id=customer.id,
                    channel=CHANNEL,
                    account=corp,
                    external_id=ext,
                    unionid=unionid,
                )
                s.add(ident)
        assert ident is not None and customer is not None
        ident.active = True
        ident.follow_user = m.userid[:64] or None
        if unionid and not ident.unionid:
            ident.unionid = unionid
        if state.startswith(("store:", "guide:")):
            await customers_repo.attribute_scene(s, customer, state)
        if guide is not None:
            if customer.store_id is None:
                customer.store_id = guide.store_id
            if customer.guide_id is None and customer.store_id == guide.store_id:
                customer.guide_id = guide.id
        if not customer.name and contact.get("name"):
            customer.name = str(contact["name"])[:32]
        await s.flush()
        return customer.id


async def added(services: Services, m: WorkMessage) -> None:
    guide = await who(services, m.userid)
    contact = await fetch_contact(services, m.external_userid)
    customer_id = await link(services, guide, m, contact)
    log.info("work: external contact linked to customer %s", customer_id)
    code = str(m.data.get("WelcomeCode") or "").strip()
    if code:
        await send_welcome(services, guide, m.external_userid, code, customer_id)


async def removed(services: Services, m: WorkMessage) -> None:
    corp = services.settings.work.corp_id
    async with services.db.transaction() as s:
        ident = await identities.find(s, CHANNEL, corp, m.external_userid)
        if ident is None:
            return
        if ident.follow_user and m.userid and ident.follow_user != m.userid:
            return  # another guide's relationship ended; this one stands
        ident.active = False
        await s.flush()
        await handover_repo.record_loss(  # the store manager hears of it (morning digest)
            s,
            customer_id=ident.customer_id,
            guide_userid=m.userid or ident.follow_user,
            change_type=m.change_type,
            now=services.clock.now(),
        )
    log.info("work: external contact %s (%s)", m.change_type, "inactive")
    from bot.scrm.losses import notify_now

    await notify_now(services)  # only with scrm.contact_loss_notify: now


async def transfer_failed(services: Services, m: WorkMessage) -> None:
    """A contact handed to a colleague was not transferred (the customer refused, or the
    colleague has too many): the contact stays with no working guide — the manager is told."""
    corp = services.settings.work.corp_id
    async with services.db.transaction() as s:
        ident = await identities.find(s, CHANNEL, corp, m.external_userid)
        reason = str(m.data.get("FailReason") or "")[:20]
        await handover_repo.record_loss(
            s,
            customer_id=ident.customer_id if ident else None,
            guide_userid=m.userid or None,
            change_type=f"transfer_fail:{reason}" if reason else "transfer_fail",
            now=services.clock.now(),
        )
    log.info("work: contact transfer failed (%s)", reason or "no reason")
    from bot.scrm.losses import notify_now

    await notify_now(services)


async def edited(services: Services, m: WorkMessage) -> None:
    guide = await who(services, m.userid)
    contact = await fetch_contact(services, m.external_userid)
    await link(services, guide, m, contact)
