"""A guide leaves or moves: their customers, open tasks and leads go to a colleague of the
same store, and WeCom is asked to transfer the guide's external contacts — for staff who
resigned (resigned/transfer_customer: WeCom moves them after 24 hours) or still employed
(transfer_customer: each customer is told with ``transfer_success_msg`` and may refuse).
The calls go through the outbox (channel ``work_transfer``, 100 contacts a call);
sandbox mode records them. The new guide gets an app message saying what they took over."""

from __future__ import annotations

import logging
from typing import Any

from bot.context import Services
from bot.scrm.settings import scrm_config
from storage.repos import handover as repo
from storage.repos import outbox as outbox_repo
from storage.repos import staff as staff_repo

log = logging.getLogger(__name__)

CHUNK = 100  # WeCom: at most 100 external contacts per transfer call
TRANSFER_MSG = "您好，您的专属导购{old}已调岗，之后由同店的{new}继续为您服务，有事随时找TA～"


class HandoverError(ValueError):
    """A hand-over that must not happen; the message says why."""


async def hand_over(
    services: Services, from_userid: str, to_userid: str, mode: str
) -> dict[str, Any]:
    """``mode``: 'leave' (resigned; the staff member is deactivated) or 'transfer'."""
    if mode not in ("leave", "transfer"):
        raise ValueError(mode)
    if from_userid == to_userid:
        raise HandoverError("hand over to someone else")
    now = services.clock.now()
    async with services.db.transaction() as s:
        src = await staff_repo.by_userid(s, from_userid)
        dst = await staff_repo.by_userid(s, to_userid)
        if src is None:
            raise HandoverError(f"no staff member {from_userid!r}")
        if dst is None or not dst.active:
            raise HandoverError(f"no active staff member {to_userid!r} to take over")
        if src.store_id != dst.store_id:
            raise HandoverError(
                f"{to_userid} works at another store; hand over to a colleague of the same store"
            )
        row, moved = await repo.move(s, src, dst, mode, now)
        from bot.work.group_chats import queue_owner_transfer

        groups = await queue_owner_transfer(
            s,
            from_userid=src.wecom_userid,
            to_userid=dst.wecom_userid,
            mode=mode,
            now=now,
            key=f"handover:{row.id}",
        )
        text = None
        if mode == "transfer":
            tmpl = str(scrm_config(services.settings).get("transfer_msg") or TRANSFER_MSG)
            text = tmpl.format(old=src.name, new=dst.name)
        for i in range(0, len(moved.contacts), CHUNK):
            await outbox_repo.enqueue(
                s,
                channel="work_transfer",
                recipient=dst.wecom_userid,
                kind="notice",
                rule=f"handover_{mode}",
                text=text,
                payload={
                    "handover_userid": src.wecom_userid,
                    "external_userids": moved.contacts[i : i + CHUNK],
                    "mode": mode,
                },
                idem_key=f"handover:{row.id}:{i}",
                not_before=now,
            )
        note = (
            f"{src.name}的工作已转给您：顾客{moved.customers}位、待办任务{moved.tasks}条、"
            f"跟进中的商机{moved.leads}条"
            + (f"，企业微信客户{len(moved.contacts)}位（转接中）" if moved.contacts else "")
            + (f"，客户群{groups}个（群主转给您）" if groups else "")
            + "。发“任务”看看今天要做的事。"
        )
        await outbox_repo.enqueue(
            s,
            channel="work_app",
            recipient=dst.wecom_userid,
            kind="notice",
            rule="handover",
            text=note,
            idem_key=f"handover:{row.id}:note",
            not_before=now,
        )
    log.info(
        "staff %s → %s (%s): %d customers, %d tasks, %d leads, %d WeCom contacts",
        *(from_userid, to_userid, mode, moved.customers, moved.tasks, moved.leads),
        len(moved.contacts),
    )
    return {
        "from": from_userid,
        "to": to_userid,
        "mode": mode,
        "customers": moved.customers,
        "tasks": moved.tasks,
        "leads": moved.leads,
        "wecom_contacts": len(moved.contacts),
        "groups": groups,
    }
