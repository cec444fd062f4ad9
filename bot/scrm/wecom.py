"""WeCom calls of the customer book, through wechatpy's client as the rest of the project
(``WorkApi.send``: wechatpy builds the request, aiohttp carries it). The outbox senders
here run only in live mode; in sandbox mode the dispatcher records the rows as sent.

- ``work_tag``: mark_tag for one contact; the tags are created in WeCom on first use, in
  one tag group (config ``scrm.wecom_tag_group``), their ids kept in ``tags.wecom_id``;
- ``work_mass``: a 群发 (add_msg_template) of a campaign, for the guide to confirm;
- ``work_transfer``: handing contacts to a colleague — the on-job transfer_customer, or
  resigned/transfer_customer for staff who left (at most 100 contacts a call)."""

from __future__ import annotations

from typing import Any

from bot.context import Services
from bot.scrm.settings import wecom_group
from bot.wechat.errors import WeChatError
from bot.wechat.work_api import WorkApi
from storage.models import OutboxMessage
from storage.repos import kv
from storage.repos import tags as tags_repo

GROUP_KEY = "scrm:wecom_tag_group_id"
ONJOB_PATH = "externalcontact/transfer_customer"
RESIGNED_PATH = "externalcontact/resigned/transfer_customer"


async def _tag_ids(services: Services, names: list[str]) -> dict[str, str]:
    """WeCom ids of these tags, creating the missing ones (and the group, the first time)."""
    if not names:
        return {}
    async with services.db.session() as s:
        known = await tags_repo.wecom_ids(s, names)
        got = await kv.get(s, GROUP_KEY, services.clock.now())
    group_id = got[0] if got else None
    missing = [n for n in names if not known.get(n)]
    if missing:
        api = WorkApi.of(services)
        tags = [{"name": n} for n in missing]
        group = None if group_id else wecom_group(services.settings)
        answer = await api.send(
            lambda c: c.external_contact.add_corp_tag(group_id, group, None, tags)
        )
        g = answer.get("tag_group") or {}
        made = {t.get("name"): str(t.get("id")) for t in g.get("tag") or [] if t.get("id")}
        async with services.db.transaction() as s:
            await tags_repo.set_wecom_ids(s, made)
            if g.get("group_id") and not group_id:
                await kv.put(s, GROUP_KEY, str(g["group_id"]), None)
        known.update(made)
    lost = [n for n in names if not known.get(n)]
    if lost:
        raise WeChatError(None, f"WeCom made no tag id for {', '.join(lost)}")
    return {n: str(known[n]) for n in names}


async def send_tag(services: Services, row: OutboxMessage, external_userid: str) -> None:
    p = row.payload or {}
    ids = await _tag_ids(services, list(p.get("add") or []) + list(p.get("remove") or []))
    add = [ids[n] for n in p.get("add") or []]
    remove = [ids[n] for n in p.get("remove") or []]
    await WorkApi.of(services).send(
        lambda c: c.external_contact.mark_tag(p["userid"], external_userid, add, remove)
    )


async def send_mass(services: Services, row: OutboxMessage, guide_userid: str) -> None:
    p = row.payload or {}
    template: dict[str, Any] = {
        "chat_type": "single",
        "external_userid": list(p.get("external_userids") or []),
        "sender": guide_userid,
        "text": {"content": row.text or ""},
    }
    if p.get("link"):
        template["link"] = p["link"]
    await WorkApi.of(services).send(lambda c: c.external_contact.add_msg_template(template))


async def send_transfer(services: Services, row: OutboxMessage, takeover: str) -> None:
    p = row.payload or {}
    body: dict[str, Any] = {
        "handover_userid": p["handover_userid"],
        "takeover_userid": takeover,
        "external_userid": list(p["external_userids"]),
    }
    if p.get("mode") == "transfer":
        path = ONJOB_PATH
        if row.text:
            body["transfer_success_msg"] = row.text
    else:
        path = RESIGNED_PATH
    await WorkApi.of(services).send(lambda c: c.external_contact._post(path, data=body))
