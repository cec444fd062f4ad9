"""The operator's commands: care preview / run, outbox list / retry / send-due."""

from __future__ import annotations

import asyncio
import json
from datetime import date

from click.testing import CliRunner

from bot.cli import main
from bot.context import build_services
from storage.models import ConsumableStage, Device
from storage.repos import outbox as repo
from tests.fakes import seed_customer


def seed(settings) -> int:
    async def go() -> int:
        services = build_services(settings)
        try:
            cid = await seed_customer(services)
            async with services.db.transaction() as s:
                dv = Device(customer_id=cid, category="净水器", brand="沁园")
                s.add(dv)
                await s.flush()
                s.add(
                    ConsumableStage(
                        device_id=dv.id,
                        stage="pp",
                        name="PP棉滤芯",
                        life_days=180,
                        last_replaced_on=date(2026, 6, 1),
                    )
                )
                r = await repo.enqueue(
                    s, channel="mp_kf", recipient="o-x", text="坏掉的", kind="reply"
                )
                r.status, r.last_error = "dead", "40003: invalid openid"
            return r.id
        finally:
            await services.close()

    return asyncio.run(go())


def invoke(settings, *args):
    env = {"WXBOT_DATABASE__URL": settings.database.url}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_care_preview_prints_json_lines_and_run_plans(settings):
    seed(settings)
    out = invoke(settings, "care", "preview", "--on", "2026-11-25")
    assert out.exit_code == 0
    [line] = [json.loads(x) for x in out.output.splitlines()]
    assert set(line) == {"customer", "rule", "channel", "text"}
    assert line["rule"] == "filter_due" and "PP棉滤芯" in line["text"]
    dry = json.loads(invoke(settings, "care", "run", "--on", "2026-11-25", "--dry-run").output)
    assert dry["planned"] == 1 and dry["dry_run"] is True
    run = json.loads(invoke(settings, "care", "run", "--on", "2026-11-25").output)
    assert run["by_rule"] == {"filter_due": 1}
    assert invoke(settings, "care", "preview", "--on", "2026-11-25").output == ""


def test_outbox_dead_letters_are_listed_and_retried(settings):
    rid = seed(settings)
    out = invoke(settings, "outbox", "list", "--status", "dead")
    [line] = [json.loads(x) for x in out.output.splitlines()]
    assert line["id"] == rid and line["last_error"] == "40003: invalid openid"
    assert invoke(settings, "outbox", "retry", str(rid)).exit_code == 0
    sent = json.loads(invoke(settings, "outbox", "send-due").output)
    assert sent["sent"] == 1  # sandbox: marked sent, nothing left the machine
    assert invoke(settings, "outbox", "list", "--status", "dead").output == ""
