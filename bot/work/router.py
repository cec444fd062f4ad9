"""What a WeCom callback becomes: a staff command's answer, or a customer-contact event."""

from __future__ import annotations

import logging

from bot.channels.work_inbound import WorkMessage
from bot.context import Services
from bot.messages import Reply
from bot.nlu.limits import STAFF_MAX_CHARS, clip
from bot.work import commands
from bot.work.staff import Who, who

log = logging.getLogger(__name__)

NOT_STAFF = "您好～这里是门店员工工作台，暂时没查到您的员工信息。请联系店长在系统里登记后再试。"
NOT_TEXT = "收到～目前只能看懂文字命令。发“帮助”看看我能做什么。"
UNKNOWN = "没太看懂这句～\n"


async def handle(services: Services, m: WorkMessage) -> Reply | None:
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
    return commands.HELP + (commands.HELP_ADMIN if staff.admin else "")


async def run_command(services: Services, staff: Who, text: str) -> Reply:
    """One line from a staff member → the reply (also used by tests and the CLI)."""
    cmd = commands.parse(clip(text, STAFF_MAX_CHARS))  # the head only: a group post fits
    if cmd is None:
        return Reply(text=UNKNOWN + help_text(staff), intent="help")
    if cmd.name == "help":
        return Reply(text=help_text(staff), intent="help")
    from handlers import (
        guide_groups,
        guide_leads,
        guide_lookup,
        guide_plans,
        guide_tags,
        guide_tasks,
        guide_tickets,
    )

    table = {
        "tasks": lambda: guide_tasks.list_tasks(services, staff),
        "done_task": lambda: guide_tasks.done_task(services, staff, cmd.args["n"]),
        "push": lambda: guide_tasks.push_task(services, staff, cmd.args["n"]),
        "lookup": lambda: guide_lookup.lookup(services, staff, cmd.args["term"]),
        "lead_new": lambda: guide_leads.new_lead(services, staff, **cmd.args),
        "lead_incomplete": lambda: guide_leads.incomplete(cmd.args["who"]),
        "lead_list": lambda: guide_leads.list_leads(services, staff),
        "lead_move": lambda: guide_leads.move_lead(services, staff, **cmd.args),
        "arrive": lambda: guide_tickets.move(services, staff, cmd.args["number"], "arrived"),
        "finish_ticket": lambda: guide_tickets.move(services, staff, cmd.args["number"], "done"),
        "group_post": lambda: guide_groups.post(
            services, staff, cmd.args["group"], cmd.args["rest"]
        ),
        "group_list": lambda: guide_groups.list_groups(services, staff),
        "tag": lambda: guide_tags.tag(services, staff, cmd.args["who"], cmd.args["ops"]),
        "tag_help": lambda: guide_tags.usage(cmd.args["who"]),
        "plan_paid": lambda: guide_plans.paid(services, staff, cmd.args["phone"]),
    }
    text_out = await table[cmd.name]()
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
    try:
        from bot.outbox import deliver_soon
    except ImportError:
        return
    await deliver_soon(services, [row.id])
