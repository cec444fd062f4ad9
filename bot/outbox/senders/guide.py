"""The last resort for a customer we cannot message: a task for their guide (导购) in
``guide_tasks``, and a WeCom app message telling the guide about it."""

from __future__ import annotations

from bot.context import Services
from bot.wechat.errors import WeChatError
from bot.wechat.work_api import WorkApi
from storage.models import OutboxMessage
from storage.repos import care as care_repo


def _with_link(row: OutboxMessage) -> str | None:
    """The text, and a campaign's card as a link the guide can forward."""
    from bot.outbox.senders.mp import card_of

    card = card_of(row)
    if card is None:
        return row.text
    return f"{row.text or ''}\n【{card['title']}】{card['url']}".strip()


def task_for(services: Services, row: OutboxMessage, guide_userid: str) -> dict:
    p = row.payload or {}
    who = p.get("customer_name") or "顾客"
    return {
        "guide_userid": guide_userid,
        "customer_id": row.customer_id,
        "kind": row.rule or row.kind,
        "title": f"{p.get('title') or '关怀提醒'}：{who}",
        "text": _with_link(row),
        "due_on": services.clock.local_now().date(),
        "idem_key": f"outbox:{row.id}",
    }


async def write_tasks(services: Services, rows: list[OutboxMessage]) -> set[str]:
    """Sandbox and bulk path: the guide tasks for many rows in one INSERT; returns the
    userids that are not staff."""
    tasks = [task_for(services, r, r.recipient) for r in rows]
    async with services.db.transaction(short=True) as s:
        return await care_repo.add_guide_tasks(s, tasks)


async def send_task(services: Services, row: OutboxMessage, guide_userid: str) -> None:
    p = row.payload or {}
    who = p.get("customer_name") or "顾客"
    title = f"{p.get('title') or '关怀提醒'}：{who}"
    due = services.clock.local_now().date()
    try:
        async with services.db.transaction(short=True) as s:
            await care_repo.add_guide_task(
                s,
                guide_userid=guide_userid,
                customer_id=row.customer_id,
                kind=row.rule or row.kind,
                title=title,
                text=_with_link(row),
                due_on=due,
                idem_key=f"outbox:{row.id}",
            )
    except LookupError as exc:
        raise WeChatError(None, str(exc)) from None
    if not services.settings.sandbox:  # the task is made once; a retry may re-notify
        note = f"新任务｜{title}\n可转发给顾客：\n{_with_link(row) or ''}"
        await WorkApi.of(services).send_text([guide_userid], note)
