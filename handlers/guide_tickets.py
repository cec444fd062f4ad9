"""Engineers: 到达 R20261125-0001 / 完成 R20261125-0001 move a ticket; the customer hears
about it (and, on completion, is asked for a rating) through the dialog's move_ticket."""

from __future__ import annotations

import logging

from bot.context import Services
from bot.vocabulary import TICKET_STATUS as STATUS  # the staff wording, as 查 shows it
from bot.work.staff import Who
from bot.work.staff_router import StaffRouter
from storage.repos import tickets as tickets_repo

log = logging.getLogger(__name__)

OPEN = tickets_repo.OPEN_STATUSES
SAID = {"arrived": "已到达", "done": "已完成"}


async def _move(services: Services, session, ticket, status: str, actor: str) -> None:
    from handlers.ticket_updates import move_ticket

    await move_ticket(services, session, ticket, status, actor)


async def move(services: Services, staff: Who, number: str, status: str) -> str:
    if not staff.is_engineer:
        return "到达/完成工单是师傅用的命令哦。要关闭任务请发“完成 任务序号”，例如“完成 3”。"
    async with services.db.transaction() as s:
        ticket = await tickets_repo.by_number(s, number)
        if ticket is None:
            return f"没找到工单{number}，请核对单号。"
        if ticket.engineer_id != staff.id and ticket.store_id != staff.store_id:
            return f"工单{number}不是您负责的，如需改派请联系店长。"
        if ticket.status not in OPEN:
            return (
                f"工单{number}已经是“{STATUS.get(ticket.status, ticket.status)}”状态，无需再操作。"
            )
        if status == "arrived" and ticket.status == "arrived":
            return f"工单{number}已记录到达。完工后回复“完成 {number}”。"
        await _move(services, s, ticket, status, f"work:{staff.userid}")
    if status == "arrived":
        return f"已记录到达：{number}，已通知顾客。完工后回复“完成 {number}”。"
    return f"工单{number}已完成，已通知顾客并邀请评价。辛苦了！"


staff_router = StaffRouter("tickets")
staff_router.note("师傅：到达 R20261125-0001 / 完成 R20261125-0001")


@staff_router.command("arrive")
async def _arrive(services: Services, staff: Who, number: str) -> str:
    return await move(services, staff, number, "arrived")


@staff_router.command("finish_ticket")
async def _finish(services: Services, staff: Who, number: str) -> str:
    return await move(services, staff, number, "done")
