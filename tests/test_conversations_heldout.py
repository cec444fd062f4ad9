"""Held-out customer conversations (tests/conversations/*.yaml), written before looking at
what the bot says. Each conversation runs on a fresh demo world with the clock at its `now`.

A conversation: ``{id, user, now, turns: [...], rows: [...], xfail: reason}``. A turn:
``say`` (what the customer types), ``advance`` (minutes of silence before it),
``contains`` (all must be in the reply), ``any`` (at least one), ``not`` (none),
``questions`` (most question marks allowed; 1 unless said), ``empty`` (no reply expected),
``rows`` (checked after this turn), ``staff_done`` (the engineer marks the customer's open
visit done first; a turn may be only that), ``image`` (the customer sends a photo with
this media id instead of text). A row check: ``{model, count, where: {column: value},
window_date: YYYY-MM-DD, window_hour: H}`` (window in local time).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select
from test_dialog_helpers import reply

import storage.models as models
from bot.demo import seed_demo

HERE = Path(__file__).parent / "conversations"
QUESTION_MARKS = ("？", "?")


def _load() -> list[Any]:
    params = []
    for path in sorted(HERE.glob("*.yaml")):
        for conv in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            marks = (
                [pytest.mark.xfail(reason=conv["xfail"], strict=True)] if conv.get("xfail") else []
            )
            params.append(pytest.param(conv, id=f"{path.stem}:{conv['id']}", marks=marks))
    return params


CONVERSATIONS = _load()


async def _customer_id(services, user: str) -> int | None:
    async with services.db.session() as s:
        return await s.scalar(
            select(models.ChannelIdentity.customer_id).where(
                models.ChannelIdentity.external_id == user
            )
        )


async def _check_rows(services, user: str, checks: list[dict[str, Any]], log: list[str]) -> None:
    """Rows of this customer (the demo world has rows of its own)."""
    tz = services.settings.tz
    customer_id = await _customer_id(services, user)
    for check in checks:
        model = getattr(models, check["model"])
        async with services.db.session() as s:
            q = select(model)
            if hasattr(model, "customer_id"):
                q = q.where(model.customer_id == customer_id)
            for col, value in (check.get("where") or {}).items():
                q = q.where(getattr(model, col) == value)
            found = list(await s.scalars(q))
        if "window_date" in check or "window_hour" in check:
            found = [
                r
                for r in found
                if r.window_start is not None
                and (
                    "window_date" not in check
                    or r.window_start.astimezone(tz).date().isoformat() == str(check["window_date"])
                )
                and (
                    "window_hour" not in check
                    or r.window_start.astimezone(tz).hour == int(check["window_hour"])
                )
            ]
        want = check.get("count", 1)
        assert len(found) == want, f"{check} found {len(found)}\n" + "\n".join(log)


async def _finish_open_ticket(services, user: str) -> None:
    from handlers.ticket_updates import move_ticket

    customer_id = await _customer_id(services, user)
    async with services.db.transaction() as db:
        ticket = await db.scalar(
            select(models.ServiceTicket)
            .where(models.ServiceTicket.customer_id == customer_id)
            .where(models.ServiceTicket.status != "done")
            .order_by(models.ServiceTicket.id.desc())
        )
        await move_ticket(services, db, ticket, "done", "E001")


def _check_reply(turn: dict[str, Any], text: str, log: list[str]) -> None:
    where = "\n".join(log)
    if turn.get("empty"):
        assert not text, where
        return
    assert text, f"no reply\n{where}"
    for word in turn.get("contains", []):
        assert word in text, f"missing {word!r}\n{where}"
    if turn.get("any"):
        assert any(w in text for w in turn["any"]), f"none of {turn['any']}\n{where}"
    for word in turn.get("not", []):
        assert word not in text, f"unwanted {word!r}\n{where}"
    asked = sum(text.count(m) for m in QUESTION_MARKS)
    assert asked <= turn.get("questions", 1), f"{asked} questions at once\n{where}"


@pytest.mark.parametrize("conv", CONVERSATIONS)
async def test_conversation(services, conv: dict[str, Any]) -> None:
    await seed_demo(services)
    services.clock.freeze(datetime.fromisoformat(conv.get("now", "2026-11-25T10:00:00+08:00")))
    log: list[str] = []
    for turn in conv["turns"]:
        if turn.get("advance"):
            services.clock.freeze(services.clock.now() + timedelta(minutes=turn["advance"]))
        if turn.get("staff_done"):  # the engineer finishes the customer's open visit
            await _finish_open_ticket(services, conv["user"])
            if "say" not in turn and "image" not in turn:
                continue
        if turn.get("image"):
            said = f"[image {turn['image']}]"
            out = await reply(
                services, "", user=conv["user"], kind="image", media_id=str(turn["image"])
            )
        else:
            said = str(turn["say"])
            out = await reply(services, said, user=conv["user"])
        text = out.text or ""
        log += [f"> {said}", text]
        _check_reply(turn, text, log)
        if turn.get("rows"):
            await _check_rows(services, conv["user"], turn["rows"], log)
    await _check_rows(services, conv["user"], conv.get("rows", []), log)
