"""``wxbot chat --user ID [--now ISO-8601]``: talk to the bot in a terminal.

Each line goes the webhook's way (an Official Account text message: claim + dedup +
bookkeeping → bot.dialog.respond) and the reply is printed, followed by anything the bot
queued for that user meanwhile (outbox rows, e.g. status notices). Reads a pipe too, so
transcripts can be scripted: ``printf '修空调\\n算了\\n' | wxbot chat --user demo``.
"""

from __future__ import annotations

import asyncio
import itertools
import sys
import time

import click

from bot.bootstrap import services_or_exit
from bot.clock import parse_now
from bot.context import Services
from bot.messages import Reply

_seq = itertools.count(1)


async def send_text(services: Services, user: str, text: str) -> Reply | None:
    """One text message from ``user`` through the Official Account path."""
    app_id = services.settings.mp.app_id
    from bot.channels import dedup
    from bot.channels.mp_inbound import CHANNEL, MpMessage, bookkeeping, to_inbound

    data = {
        "ToUserName": "gh_chat",
        "FromUserName": user,
        "CreateTime": str(int(services.clock.now().timestamp())),
        "MsgType": "text",
        "Content": text,
        "MsgId": f"{time.time_ns()}{next(_seq)}",
    }
    m = MpMessage.of(app_id, data)

    async def on_claim(session) -> None:
        await bookkeeping(session, services, m)

    async def work() -> Reply | None:
        import bot.dialog as dialog

        return await dialog.respond(services, to_inbound(services, m))

    async def deliver_late(reply: Reply) -> None:
        from bot.channels.mp import send_late_reply

        await send_late_reply(services, m, m.dedup_key, reply)

    outcome = await dedup.process_once(
        services,
        key=m.dedup_key,
        channel=CHANNEL,
        from_user=user,
        msg_type=m.label,
        budget_s=services.settings.mp.reply_budget_s,
        work=work,
        deliver_late=deliver_late,
        on_claim=on_claim,
        text=m.text,
    )
    return outcome.reply


async def _last_outbox_id(services: Services) -> int:
    from storage.repos import outbox

    async with services.db.session() as s:
        rows = await outbox.recent(s, limit=1)
    return rows[0].id if rows else 0


async def _sent_since(services: Services, user: str, after: int) -> tuple[list[str], int]:
    from storage.repos import outbox

    async with services.db.session() as s:
        rows = await outbox.for_recipient(s, user, after_id=after)
    lines = [f"[{r.channel}/{r.kind}] {r.text or r.payload}" for r in rows]
    return lines, (rows[-1].id if rows else after)


async def run_chat(services: Services, user: str, lines, out=click.echo) -> None:
    """Feed ``lines`` (an iterable of str) one by one; print replies and queued messages."""
    after = await _last_outbox_id(services)
    interactive = sys.stdin.isatty()
    try:
        for raw in lines:
            text = raw.rstrip("\n").strip()
            if not text:
                continue
            if not interactive:
                out(f"> {text}")
            reply = await send_text(services, user, text)
            if reply is None or reply.empty:
                out("(no reply yet)" if services.background else "(no reply)")
            else:
                if reply.text:
                    out(reply.text)
                if reply.transfer_customer_service:
                    out("(transferred to customer service)")
            await _drain(services)  # a reply over budget lands in the outbox: wait for it
            sent, after = await _sent_since(services, user, after)
            for line in sent:
                out(f"  ↳ {line}")
            out("")
    finally:
        await _drain(services)


async def _drain(services: Services, wait_s: float = 30.0) -> None:
    """Let background work of the last message (a late reply, notices) finish."""
    await asyncio.sleep(0)
    pending = {t for t in services.background if not t.done()}
    if pending:
        await asyncio.wait(pending, timeout=wait_s)


@click.command()
@click.option("--user", "user", required=True, help="The customer's openid in this chat.")
@click.option("--now", "now", default=None, help="Freeze the clock here (ISO 8601).")
def chat(user: str, now: str | None) -> None:
    """Talk to the bot as an Official Account user (reads a pipe too)."""
    from bot.config import load_settings

    tz = None
    try:
        tz = load_settings().tz
    except Exception:  # noqa: BLE001 - services_or_exit reports config problems
        pass
    frozen = parse_now(now, tz) if (now and tz) else None
    services = services_or_exit(frozen)

    def lines():
        if sys.stdin.isatty():
            click.echo("和售后小助手聊天（Ctrl-D 结束）", err=True)
        while True:
            if sys.stdin.isatty():
                click.echo("你: ", nl=False, err=True)
            line = sys.stdin.readline()
            if not line:
                return
            yield line

    async def main() -> None:
        try:
            await run_chat(services, user, lines())
        finally:
            await services.close()

    asyncio.run(main())


COMMANDS = [chat]
