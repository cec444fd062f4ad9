"""Held-out conversations scored through the real chat path (``wxbot convo eval``).

Each YAML file under ``data/conversations/heldout/`` holds a list of conversations::

    - id: fridge-question-no-booking
      user: demo-openid-03          # a demo customer (or any new openid)
      now: 2026-11-25T10:00:00+08:00
      turns:
        - say: 冰箱冷藏不冷 是不是要加氟
          contains: [化霜]          # all must be in the reply
          any: [师傅]               # at least one
          not: [什么时候上门]        # none
        - staff: done | on_the_way  # the engineer moves the customer's open visit first
      expect:                        # what must be true at the end
        tickets: 0                   # open+done tickets of this customer made in the chat
        ticket: {status: open, date: 2026-11-27, hour: 9}
        trade_in: {status: done}
        no_repeat: true              # never the same reply twice in a row (default true)

Each conversation runs on a fresh demo world (a throw-away SQLite), line by line through
``bot.commands.chat.send_text`` (the Official Account path with claim and dedup).
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select

HELDOUT = Path(__file__).resolve().parent.parent / "data" / "conversations" / "heldout"


@dataclass
class Outcome:
    id: str
    failures: list[str] = field(default_factory=list)
    transcript: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


def load(folder: Path = HELDOUT) -> list[dict[str, Any]]:
    convs: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*.yaml")):
        for conv in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            conv.setdefault("file", path.stem)
            convs.append(conv)
    return convs


def _words(turn: dict[str, Any], key: str) -> list[str]:
    return [str(w) for w in turn.get(key) or []]  # 13700002222 is read as a number


def _check_reply(turn: dict[str, Any], text: str, fail: list[str], n: int) -> None:
    for word in _words(turn, "contains"):
        if word not in text:
            fail.append(f"turn {n}: missing {word!r}")
    if turn.get("any") and not any(w in text for w in _words(turn, "any")):
        fail.append(f"turn {n}: none of {turn['any']}")
    for word in _words(turn, "not"):
        if word in text:
            fail.append(f"turn {n}: unwanted {word!r}")


async def _customer_id(services: Any, user: str) -> int | None:
    from storage import models

    async with services.db.session() as s:
        return await s.scalar(
            select(models.ChannelIdentity.customer_id).where(
                models.ChannelIdentity.external_id == user
            )
        )


async def _staff_move(services: Any, user: str, status: str) -> None:
    from handlers.ticket_updates import move_ticket
    from storage import models

    customer_id = await _customer_id(services, user)
    async with services.db.transaction() as db:
        ticket = await db.scalar(
            select(models.ServiceTicket)
            .where(models.ServiceTicket.customer_id == customer_id)
            .where(models.ServiceTicket.status.not_in(("done", "cancelled")))
            .order_by(models.ServiceTicket.id.desc())
        )
        if ticket is not None:
            await move_ticket(services, db, ticket, status, "E001")


async def _check_end(
    services: Any, user: str, expect: dict[str, Any], before: int, fail: list[str]
) -> None:
    from storage import models

    customer_id = await _customer_id(services, user)
    tz = services.settings.tz
    async with services.db.session() as s:
        made = await s.scalar(
            select(func.count())
            .select_from(models.ServiceTicket)
            .where(models.ServiceTicket.customer_id == customer_id)
        )
        latest = await s.scalar(
            select(models.ServiceTicket)
            .where(models.ServiceTicket.customer_id == customer_id)
            .order_by(models.ServiceTicket.id.desc())
        )
        trade = await s.scalar(
            select(models.TradeInRequest)
            .where(models.TradeInRequest.customer_id == customer_id)
            .order_by(models.TradeInRequest.id.desc())
        )
        orders = await s.scalar(
            select(func.count())
            .select_from(models.ConsumableOrder)
            .where(models.ConsumableOrder.customer_id == customer_id)
        )
    if "tickets" in expect and (made or 0) - before != int(expect["tickets"]):
        fail.append(f"end: {(made or 0) - before} tickets made, want {expect['tickets']}")
    want = expect.get("ticket")
    if want:
        if latest is None:
            fail.append("end: no ticket")
        else:
            if "status" in want and latest.status != want["status"]:
                fail.append(f"end: ticket {latest.status}, want {want['status']}")
            start = latest.window_start.astimezone(tz) if latest.window_start else None
            if "date" in want and (start is None or start.date().isoformat() != str(want["date"])):
                fail.append(f"end: ticket on {start}, want {want['date']}")
            if "hour" in want and (start is None or start.hour != int(want["hour"])):
                fail.append(f"end: ticket at {start}, want hour {want['hour']}")
            for key in ("address", "symptom", "brand"):
                if key in want and str(want[key]) not in str(getattr(latest, key) or ""):
                    fail.append(f"end: ticket {key} {getattr(latest, key)!r}, want {want[key]!r}")
    if "trade_in" in expect:
        want_t = expect["trade_in"]
        if want_t is None:
            if trade is not None:
                fail.append("end: a trade-in was made")
        elif trade is None:
            fail.append("end: no trade-in")
        else:
            for key, value in want_t.items():
                if str(value) not in str(getattr(trade, key)):
                    fail.append(f"end: trade-in {key} {getattr(trade, key)!r}, want {value!r}")
    if "orders" in expect and int(orders or 0) != int(expect["orders"]):
        fail.append(f"end: {orders} orders, want {expect['orders']}")


async def run_one(conv: dict[str, Any], template: Path, work: Path) -> Outcome:
    """One conversation on its own copy of the migrated, seeded database."""
    from bot.bootstrap import load_settings
    from bot.commands.chat import send_text
    from bot.context import build_services
    from storage import models

    out = Outcome(str(conv.get("id")))
    db = work / f"{out.id}.db"
    shutil.copy(template, db)
    settings = load_settings(
        database={"url": f"sqlite+aiosqlite:///{db}"}, sandbox=True, redis={"url": ""}
    )
    now = datetime.fromisoformat(str(conv.get("now", "2026-11-25T10:00:00+08:00")))
    services = build_services(settings, now=now)
    user = str(conv.get("user", "heldout-user"))
    try:
        customer_id = await _customer_id(services, user)
        async with services.db.session() as s:
            before = await s.scalar(
                select(func.count())
                .select_from(models.ServiceTicket)
                .where(models.ServiceTicket.customer_id == customer_id)
            )
        last = None
        for n, turn in enumerate(conv.get("turns") or [], 1):
            if turn.get("staff"):
                await _staff_move(services, user, str(turn["staff"]))
                out.transcript.append(f"[staff: {turn['staff']}]")
                if "say" not in turn:
                    continue
            said = str(turn["say"])
            reply = await send_text(services, user, said)
            text = (reply.text if reply else "") or ""
            out.transcript += [f"> {said}", text]
            _check_reply(turn, text, out.failures, n)
            if conv.get("no_repeat", True) and text and text == last:
                out.failures.append(f"turn {n}: the same reply twice in a row")
            last = text
        await _check_end(services, user, conv.get("expect") or {}, before or 0, out.failures)
    except Exception as exc:  # noqa: BLE001 - a crash is a failure of this conversation
        out.failures.append(f"crashed: {exc!r}")
    finally:
        await services.close()
    return out


async def build_template(work: Path) -> Path:
    """A migrated database with the demo world, copied for every conversation."""
    from bot.bootstrap import load_settings
    from bot.context import build_services
    from bot.demo import seed_demo
    from storage.migrate import upgrade

    path = work / "template.db"
    url = f"sqlite+aiosqlite:///{path}"
    upgrade(url)
    settings = load_settings(database={"url": url}, sandbox=True, redis={"url": ""})
    services = build_services(settings, now=datetime.fromisoformat("2026-11-25T10:00:00+08:00"))
    try:
        await seed_demo(services)
    finally:
        await services.close()
    return path


async def evaluate(convs: list[dict[str, Any]]) -> list[Outcome]:
    with tempfile.TemporaryDirectory(prefix="wxbot-convo-") as tmp:
        work = Path(tmp)
        template = await build_template(work)
        return [await run_one(conv, template, work) for conv in convs]
