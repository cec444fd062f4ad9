"""What a WeCom callback becomes: a staff command's answer, or a customer-contact event."""

from __future__ import annotations

import logging

from bot.channels.work_inbound import WorkMessage
from bot.context import Services
from bot.messages import Reply
from bot.nlu.limits import STAFF_MAX_CHARS, clip
from bot.work import commands, staff_router
from bot.work.staff import Who, who

log = logging.getLogger(__name__)

NOT_STAFF = "您好～这里是门店员工工作台，暂时没查到您的员工信息。请联系店长在系统里登记后再试。"
NOT_TEXT = "收到～目前只能看懂文字命令。发“帮助”看看我能做什么。"
UNKNOWN = "没太看懂这句～\n"


async def handle(services: Services, m: WorkMessage) -> Reply | None:
    if m.event == "change_external_chat":
        from bot.work.group_chats import on_event

        await on_event(services, m)
        return None
    if m.event == "change_external_contact":
        from bot.work.contacts import handle_event

        await handle_event(services, m)
        return None
    if m.msg_type == "event":
        return None  # enter_agent, menu views…: nothing to answer
    staff = await who(services, m.from_user)
    if staff is None:
        log.info("work: message from an unknown userid; refused politely")
        return Reply(text=NOT_STAFF, intent="not_staff")
    if not m.text:
        return Reply(text=NOT_TEXT, intent="not_text")
    return await run_command(services, staff, m.text)


def help_text(staff: Who) -> str:
    return staff_router.help_text(admin=staff.admin)


async def run_command(services: Services, staff: Who, text: str) -> Reply:
    """One line from a staff member → the reply (also used by tests and the CLI)."""
    cmd = commands.parse(clip(text, STAFF_MAX_CHARS))  # the head only: a group post fits
    if cmd is None:
        return Reply(text=UNKNOWN + help_text(staff), intent="help")
    if cmd.name == "help":
        return Reply(text=help_text(staff), intent="help")
    text_out = await staff_router.run(cmd.name, services, staff, cmd.args)
    return Reply(text=text_out, intent=f"work_{cmd.name}")


async def send_late_reply(services: Services, m: WorkMessage, reply: Reply) -> None:
    """A reply that missed the callback budget goes as an app message."""
    from storage.repos import outbox as outbox_repo

    if not reply.text:
        return
    async with services.db.transaction() as s:
        row = await outbox_repo.enqueue(
            s,
            channel="work_app",
            recipient=m.from_user,
            text=reply.text,
            kind="reply",
            idem_key=f"late:{m.dedup_key}"[:200],
        )
    if row is None:
        return
    from bot.outbox import deliver_soon

    await deliver_soon(services, [row.id])
