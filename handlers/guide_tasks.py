"""Guides: 任务 (today's list), 完成 N (close task N), 推送 N (send task N's care message)."""

from __future__ import annotations

import logging

from bot.context import Services
from bot.work.staff import Who
from bot.work.staff_router import StaffRouter
from bot.work.util import day_bounds, local_day, mask_phone, today
from storage.models import Customer, GuideTask
from storage.repos import identities, optouts
from storage.repos import outbox as outbox_repo
from storage.repos import tasks as tasks_repo

log = logging.getLogger(__name__)

# Which opt-out switches a task kind off (besides "all").
FESTIVE = ("festival", "solar_term", "birthday", "anniversary", "baby", "season")


async def _today_tasks(services: Services, s, staff: Who) -> list[GuideTask]:
    day = today(services)
    start, _ = day_bounds(services, day)
    return await tasks_repo.today_list(s, staff.id, day, start)


def _task_line(n: int, task: GuideTask, customer: Customer | None) -> str:
    mark = {"done": "✓ ", "pushed": "✓已推送 "}.get(task.status, "")
    who = ""
    if customer is not None and customer.name and customer.name not in task.title:
        who = f"｜{customer.name} {mask_phone(customer.phone)}"
    return f"{n}. {mark}{task.title}{who}"


def _window(services: Services, t) -> str:
    if t.window_start is None:
        return ""
    a = t.window_start.astimezone(services.settings.tz)
    b = t.window_end.astimezone(services.settings.tz) if t.window_end else None
    return f"（{a.month}月{a.day}日 {a:%H:%M}" + (f"-{b:%H:%M}）" if b else "）")


async def list_tasks(services: Services, staff: Who) -> str:
    async with services.db.session() as s:
        tasks = await _today_tasks(services, s, staff)
        lines: list[str] = []
        for n, task in enumerate(tasks, start=1):
            customer = await s.get(Customer, task.customer_id) if task.customer_id else None
            lines.append(_task_line(n, task, customer))
        complaints = await tasks_repo.open_complaints(s, staff.id, staff.store_id)
        visits = await tasks_repo.engineer_tickets(s, staff.id) if staff.is_engineer else []
    out: list[str] = []
    open_n = sum(1 for t in tasks if t.status == "open")
    if visits:
        out.append(f"待上门的工单（{len(visits)}）：")
        for t in visits:
            out.append(f"· {t.number} {t.category or ''}{t.symptom or ''}{_window(services, t)}")
        out.append("到了回复“到达 单号”，修好回复“完成 单号”。")
        if not tasks and not complaints:
            return "\n".join(out)
    if tasks:
        out.append(f"今天的任务（待办{open_n}/{len(tasks)}）：")
        out.extend(lines)
    else:
        out.append("今天没有待办任务，辛苦了～")
    if complaints:
        out.append("投诉/求助待跟进：")
        for h, c in complaints:
            reason = (h.reason or "").replace("\n", " ")[:30]
            out.append(
                f"· {c.name or '顾客'} {mask_phone(c.phone)}：{reason}（{local_day(services, h.created_at)}）"
            )
    if open_n:
        out.append("回复“完成 1”关闭任务，“推送 1”把关怀消息发给顾客。")
    return "\n".join(out)


async def _nth(services: Services, s, staff: Who, n: int) -> tuple[GuideTask | None, int]:
    tasks = await _today_tasks(services, s, staff)
    if 1 <= n <= len(tasks):
        return tasks[n - 1], len(tasks)
    return None, len(tasks)


def _no_such(n: int, total: int) -> str:
    if total == 0:
        return "今天没有任务哦，发“任务”可以再看看。"
    return f"没有第{n}条任务，今天一共{total}条。发“任务”看看列表。"


async def done_task(services: Services, staff: Who, n: int) -> str:
    async with services.db.transaction() as s:
        task, total = await _nth(services, s, staff, n)
        if task is None:
            return _no_such(n, total)
        if task.status != "open":
            return f"任务{n}已经完成了～"
        await tasks_repo.close(s, task, "done", services.clock.now())
        left = sum(1 for t in await _today_tasks(services, s, staff) if t.status == "open")
    tail = f"还剩{left}条待办。" if left else "今天的任务都完成了，辛苦了！"
    return f"好的，任务{n}已完成。{tail}"


async def push_task(services: Services, staff: Who, n: int) -> str:
    """Through WeCom's customer-contact mass message (the guide confirms it in WeCom) when
    the customer is the guide's external contact; else a ready text to forward by hand."""
    corp = services.settings.work.corp_id
    row_id: int | None = None
    async with services.db.transaction() as s:
        task, total = await _nth(services, s, staff, n)
        if task is None:
            return _no_such(n, total)
        if not task.customer_id or not task.text:
            return f"任务{n}没有要发给顾客的消息，可以直接“完成 {n}”。"
        if task.status == "pushed":
            return f"任务{n}的消息已经推送过了。"
        off = await optouts.kinds(s, task.customer_id)
        if (
            "all" in off
            or ("festival" in off and task.kind in FESTIVE)
            or ("reminder" in off and task.kind not in FESTIVE)
        ):
            return f"这位顾客已关闭此类消息，任务{n}就不推送了，可以“完成 {n}”。"
        contacts = [
            i
            for i in await identities.for_customer(s, task.customer_id, "work")
            if i.active and i.account == corp and i.follow_user == staff.userid
        ]
        if not contacts:
            return (
                f"这位顾客还不是您的企业微信客户，请复制下面这段话发给TA：\n\n{task.text}\n\n"
                f"发完回复“完成 {n}”。"
            )
        row = await outbox_repo.enqueue(
            s,
            channel="work_contact",
            recipient=contacts[0].external_id,
            text=task.text,
            kind="service",
            customer_id=task.customer_id,
            rule=task.kind[:32],
            idem_key=f"push:task:{task.id}",
            payload={"sender": staff.userid, "task_id": task.id},
        )
        await tasks_repo.close(s, task, "pushed", services.clock.now())
        row_id = row.id if row is not None else None
    if row_id is not None:
        try:
            from bot.outbox import deliver_soon

            await deliver_soon(services, [row_id])
        except Exception:  # noqa: BLE001 - the dispatcher retries it at its next tick
            log.warning("work: push of task %s left for the dispatcher", n, exc_info=True)
    return f"已提交任务{n}的消息，请在企业微信“客户联系 → 群发助手”里确认发送。"


staff_router = StaffRouter("tasks")
staff_router.command("tasks", help="· 任务 —— 今天要做的事")(list_tasks)
staff_router.command("done_task", help="· 完成 3 —— 任务3做完了")(done_task)
staff_router.command("push", help="· 推送 3 —— 把任务3的关怀消息发给顾客")(push_task)
