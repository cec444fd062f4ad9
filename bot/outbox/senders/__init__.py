"""One sender per channel: ``await SENDERS[channel](services, row, recipient)``; each raises
a :mod:`bot.wechat.errors` error on failure."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.context import Services
from bot.outbox.senders import guide, mp, robot, work
from storage.models import OutboxMessage

Sender = Callable[[Services, OutboxMessage, str], Awaitable[None]]

SENDERS: dict[str, Sender] = {
    "mp_kf": mp.send_kf,
    "mp_template": mp.send_template,
    "work_app": work.send_app,
    "work_contact": work.send_contact,
    "group_robot": robot.send,
    "guide_task": guide.send_task,
}

# The customer book's WeCom calls: tags, 群发 for the guide to confirm, contact transfers.
from bot.scrm import wecom as _scrm  # noqa: E402 - after SENDERS, which it does not need

SENDERS.update(
    {"work_tag": _scrm.send_tag, "work_mass": _scrm.send_mass, "work_transfer": _scrm.send_transfer}
)

# Customer group chats: the stores' welcome templates, groups handed to a colleague.
from bot.work import group_chats as _groups  # noqa: E402

SENDERS.update(
    {
        "work_group_welcome": _groups.send_welcome,
        "work_group_transfer": _groups.send_owner_transfer,
    }
)
