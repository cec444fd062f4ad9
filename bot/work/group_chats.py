"""Customer group chats (客户群) as WeCom knows them: synced into ``groups`` (name, owner, member
count, the owner's store) with each day's figures in ``group_days`` (members, joins,
leaves), kept current between syncs by WeCom's ``change_external_chat`` callbacks.

- :func:`sync` reads ``externalcontact/groupchat/list`` (paged by cursor) and
  ``groupchat/get`` for each chat. A group already configured by name (with its robot)
  is linked to its chat rather than duplicated. Live mode only: in sandbox mode there is
  no WeCom to read.
- :func:`on_event` applies one callback: a member joined or left, the group renamed or
  dismissed. Leaves are counted from the callbacks; a sync also infers them from the
  member count when a callback was missed.
- The welcome text per store (入群欢迎语, config ``scrm.group_welcome``) goes to WeCom as a
  group welcome template (:func:`queue_welcome_templates`, outbox ``work_group_welcome``);
  the owner then picks it in the group's settings.
- When an owner leaves or moves (``wxbot staff leave|transfer``) their groups go to the
  colleague (:func:`queue_owner_transfer`, outbox ``work_group_transfer``).
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time
from typing import Any

from bot.channels.work_inbound import WorkMessage
from bot.context import Services
from bot.wechat.errors import WeChatError
from bot.wechat.work_api import WorkApi
from storage.models import OutboxMessage
from storage.repos import group_chats as repo
from storage.repos import kv
from storage.repos import outbox as outbox_repo

log = logging.getLogger(__name__)

LIST_PATH = "externalcontact/groupchat/list"
GET_PATH = "externalcontact/groupchat/get"
WELCOME_ADD_PATH = "externalcontact/group_welcome_template/add"
WELCOME_EDIT_PATH = "externalcontact/group_welcome_template/edit"
RESIGNED_TRANSFER_PATH = "externalcontact/groupchat/transfer"
ONJOB_TRANSFER_PATH = "externalcontact/groupchat/onjob_transfer"
PAGE = 1000  # WeCom: at most 1000 chats a page
CHUNK = 100  # WeCom: at most 100 chats per transfer call
MAX_PAGES = 100


def _post(services: Services, path: str, body: dict[str, Any]):
    return WorkApi.of(services).send(lambda c: c.external_contact._post(path, data=body))


def _local_day(services: Services, when: datetime) -> date:
    return when.astimezone(services.settings.tz).date()


async def sync(services: Services) -> dict[str, int | str]:
    """Read every customer group chat from WeCom; what was created, updated, dismissed."""
    if services.settings.sandbox:
        return {"skipped": "sandbox"}
    chats: list[str] = []
    cursor = ""
    for _ in range(MAX_PAGES):
        body: dict[str, Any] = {"status_filter": 0, "limit": PAGE}
        if cursor:
            body["cursor"] = cursor
        page = await _post(services, LIST_PATH, body)
        chats += [str(c["chat_id"]) for c in page.get("group_chat_list") or [] if c.get("chat_id")]
        cursor = str(page.get("next_cursor") or "")
        if not cursor:
            break
    now = services.clock.now()
    today = _local_day(services, now)
    start = datetime.combine(today, time(0), tzinfo=services.settings.tz)
    counts = {"chats": len(chats), "created": 0, "updated": 0, "failed": 0}
    for chat_id in chats:
        try:
            answer = await _post(services, GET_PATH, {"chat_id": chat_id, "need_name": 1})
        except WeChatError as exc:  # one chat WeCom will not show must not stop the rest
            log.warning("work: group chat %s not read: %s", chat_id, exc)
            counts["failed"] += 1
            continue
        detail = answer.get("group_chat") or {}
        members = detail.get("member_list") or []
        joined_today = sum(
            1 for m in members if int(m.get("join_time") or 0) >= int(start.timestamp())
        )
        async with services.db.transaction() as s:
            made = await repo.upsert_chat(
                s,
                chat_id=chat_id,
                name=str(detail.get("name") or "")[:64] or f"客户群{chat_id[-6:]}",
                owner=str(detail.get("owner") or "")[:64] or None,
                members=len(members),
                now=now,
            )
            await repo.record_sync(s, made.group, today, len(members), joined_today)
        counts["created" if made.created else "updated"] += 1
    log.info("work: %d customer group chats synced", len(chats))
    return counts


async def on_event(services: Services, m: WorkMessage) -> None:
    """One ``change_external_chat`` callback: create / update (add_member, del_member,
    change_name, change_owner) / dismiss."""
    chat_id = str(m.data.get("ChatId") or "")
    if not chat_id:
        return
    change = m.change_type
    detail = str(m.data.get("UpdateDetail") or "").lower()
    count = _int(m.data.get("MemChangeCnt")) or 1
    total = m.data.get("MemCount")
    now = services.clock.now()
    today = _local_day(services, now)
    async with services.db.transaction() as s:
        group = await repo.by_chat(s, chat_id)
        if group is None:
            log.info(
                "work: group chat %s not synced yet (%s); `wxbot work groups sync`", chat_id, change
            )
            return
        if change == "dismiss":
            await repo.dismissed(s, group, today)
        elif detail == "add_member":
            await repo.moved(s, group, today, joins=count, total=_int(total))
        elif detail == "del_member":
            await repo.moved(s, group, today, leaves=count, total=_int(total))
        else:
            log.info("work: group chat %s %s %s recorded only", chat_id, change, detail)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# -- writes, through the outbox ------------------------------------------------------------


def welcome_texts(services: Services) -> dict[str, str]:
    """Store code → 入群欢迎语 (config ``scrm.group_welcome``)."""
    conf = (services.settings.scrm or {}).get("group_welcome") or {}
    return {str(k): str(v) for k, v in conf.items() if str(v).strip()}


async def queue_welcome_templates(services: Services) -> int:
    """One outbox row per store whose welcome text changed since it was last sent."""
    queued = 0
    now = services.clock.now()
    async with services.db.transaction() as s:
        for code, text in welcome_texts(services).items():
            row = await outbox_repo.enqueue(
                s,
                channel="work_group_welcome",
                recipient=code,
                kind="notice",
                rule="group_welcome",
                text=text[:1000],
                payload={"store": code},
                idem_key=f"group_welcome:{code}:{hash_text(text)}",
                not_before=now,
            )
            queued += row is not None
    return queued


def hash_text(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


async def send_welcome(services: Services, row: OutboxMessage, store_code: str) -> None:
    """Add (or edit) the store's group welcome template; its id is kept for the next edit."""
    key = f"scrm:group_welcome:{store_code}"
    async with services.db.session() as s:
        got = await kv.get(s, key, services.clock.now())
    body: dict[str, Any] = {"text": {"content": row.text or ""}}
    if got:
        await _post(services, WELCOME_EDIT_PATH, {"template_id": got[0], **body})
        return
    answer = await _post(services, WELCOME_ADD_PATH, body)
    if answer.get("template_id"):
        async with services.db.transaction() as s:
            await kv.put(s, key, str(answer["template_id"]), None)


async def queue_owner_transfer(
    session: Any, *, from_userid: str, to_userid: str, mode: str, now: datetime, key: str
) -> int:
    """The groups ``from_userid`` owns go to ``to_userid``: ownership moved here at once,
    WeCom asked through the outbox (100 chats a call). Returns the number of groups."""
    chats = await repo.owned_by(session, from_userid)
    await repo.set_owner(session, [g.id for g in chats], to_userid)
    ids = [g.chat_id for g in chats if g.chat_id]
    for i in range(0, len(ids), CHUNK):
        await outbox_repo.enqueue(
            session,
            channel="work_group_transfer",
            recipient=to_userid,
            kind="notice",
            rule=f"handover_{mode}",
            payload={"chat_ids": ids[i : i + CHUNK], "mode": mode, "from": from_userid},
            idem_key=f"{key}:groups:{i}",
            not_before=now,
        )
    return len(chats)


async def send_owner_transfer(services: Services, row: OutboxMessage, new_owner: str) -> None:
    p = row.payload or {}
    path = ONJOB_TRANSFER_PATH if p.get("mode") == "transfer" else RESIGNED_TRANSFER_PATH
    await _post(
        services, path, {"chat_id_list": list(p.get("chat_ids") or []), "new_owner": new_owner}
    )
