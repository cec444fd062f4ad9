"""``wxbot chat``: a scripted conversation through the webhook's path, printed reply by reply."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

from click.testing import CliRunner

from bot.cli import main
from bot.dialog import registry

SCRIPT = "\n".join(
    [
        "明天上午来修一下客厅的格力空调 不制冷 电话13812345678",
        "上海市浦东新区张江路88弄3号501室",
        "确认",
    ]
)


def _run(db_path, text: str, user: str = "demo") -> str:
    env = {"WXBOT_DATABASE__URL": f"sqlite+aiosqlite:///{db_path}"}
    result = CliRunner().invoke(
        main, ["chat", "--user", user, "--now", "2026-11-25T10:00:00+08:00"], input=text, env=env
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_a_piped_transcript_books_a_repair(db_path):
    out = _run(db_path, SCRIPT)
    assert "> 明天上午来修一下客厅的格力空调" in out
    assert "请问上门地址是" in out
    assert "预约好啦！单号 R20261125-0001" in out
    with sqlite3.connect(db_path) as conn:
        numbers = [r[0] for r in conn.execute("select number from service_tickets")]
        inbound = conn.execute("select count(*) from inbound_messages").fetchone()[0]
    assert numbers == ["R20261125-0001"]
    assert inbound == 3  # every line went through the webhook's dedup


def test_messages_queued_before_the_chat_began_are_not_printed(db_path):
    _run(db_path, SCRIPT)
    with sqlite3.connect(db_path) as conn:
        conn.execute(
            "insert into outbox (channel, recipient, kind, text, payload, status, attempts,"
            " not_before, sandbox, created_at) values ('mp_kf', 'demo', 'service',"
            " '师傅已出发', '{}', 'pending', 0, '2026-11-25 02:00:00', 0, '2026-11-25 02:00:00')"
        )
    out = _run(db_path, "你好")
    assert "师傅已出发" not in out  # queued before this chat began: not "meanwhile"


def test_the_session_continues_across_two_chat_runs(db_path):
    first = "明天上午来修一下客厅的格力空调 不制冷 电话13812345678"
    _run(db_path, first)
    out = _run(db_path, "上海市浦东新区张江路88弄3号501室\n确认")
    assert "R20261125-0001" in out


def test_a_status_notice_sent_meanwhile_is_shown(db_path, monkeypatch):
    async def greeting(turn):
        from handlers.common import tell_customer

        await tell_customer(turn.db, turn.customer.id, "您的服务单已安排师傅")
        return "您好"

    table = registry.routes()
    monkeypatch.setitem(table, "greeting", replace(table["greeting"], target=greeting))
    out = _run(db_path, "你好")
    assert "您好" in out
    assert "↳ [mp_kf/service] 您的服务单已安排师傅" in out
