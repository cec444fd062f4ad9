"""Operators' mistakes: every ``wxbot`` command given bad input ends with one clear line on
stderr and a non-zero exit code, never a traceback."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main

ERROR_STARTS = ("Error:", "error:", "import failed:", "config error:")


def _run(db: str, *args: str, env: dict[str, str] | None = None, stdin: str | None = None):
    full_env = {"WXBOT_DATABASE__URL": db, **(env or {})}
    return CliRunner().invoke(main, list(args), env=full_env, input=stdin, catch_exceptions=False)


def _sqlite(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def _fails(result, *needles: str, code: int | None = None) -> str:
    """Non-zero exit, no traceback, exactly one error line holding every needle."""
    assert result.exit_code != 0, result.output
    if code is not None:
        assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith(ERROR_STARTS)]
    assert len(errors) == 1, result.stderr
    for needle in needles:
        assert needle in errors[0], errors[0]
    return errors[0]


@pytest.fixture
def db(db_path: Path) -> str:
    return _sqlite(db_path)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["care", "preview", "--on", "2026-13-01"], "YYYY-MM-DD"),
        (["care", "preview"], "--on"),
        (["care", "run", "--on", "yesterday"], "YYYY-MM-DD"),
        (["work", "digest", "--on", "2026-02-30"], "YYYY-MM-DD"),
        (["chat"], "--user"),
        (["outbox", "retry", "abc"], "abc"),
        (["outbox", "list", "--status", "bogus"], "bogus"),
        (["serve", "--port", "80000"], "80000"),
        (["--log-level", "nonsense", "outbox", "list"], "nonsense"),
        (["import", "customers", "missing.csv"], "missing.csv"),
    ],
)
def test_bad_arguments_are_usage_errors(db, args, needle):
    _fails(_run(db, *args), needle, code=2)


def test_nlu_parse_with_a_bad_now(db):
    _fails(_run(db, "nlu", "parse", "--now", "notadate", stdin="你好\n"), "notadate", code=2)


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"", "empty file"),
        (b"phone,name\r\n", "only the header"),
        ("手机,姓名\n".encode("gbk"), "only the header"),
        (b"\x7fELF\x02\x01\x01\x00\x00\x00binary", "not a CSV text file"),
        (b"PK\x03\x04\x14\x00\x06\x00", "not a CSV text file"),
        (b"foo,bar\n1,2\n", "missing column(s): phone"),
    ],
)
def test_import_of_files_that_are_not_customer_csvs(db, tmp_path, content, needle):
    path = tmp_path / "in.csv"
    path.write_bytes(content)
    _fails(_run(db, "import", "customers", str(path)), needle, code=2)


def test_import_of_devices_from_a_binary_file(db, tmp_path):
    path = tmp_path / "devices.xlsx"
    path.write_bytes(b"PK\x03\x04" + bytes(range(256)))
    _fails(_run(db, "import", "devices", str(path)), "not a CSV text file", code=2)


def test_outbox_retry_of_a_row_that_does_not_exist(db):
    _fails(_run(db, "outbox", "retry", "999999"), "no outbox row 999999", code=1)


def test_work_say_as_an_unknown_userid(db):
    _fails(_run(db, "work", "say", "--user", "NOPE", "任务"), "'NOPE'", code=1)


def test_commands_on_a_database_never_migrated(tmp_path):
    fresh = _sqlite(tmp_path / "fresh.db")
    for args in (
        ["care", "preview", "--on", "2026-11-25"],
        ["demo", "seed"],
        ["work", "say", "--user", "G001", "任务"],
        ["outbox", "list"],
    ):
        _fails(_run(fresh, *args), "wxbot db upgrade", code=1)


def test_unreachable_postgres_fails_fast_without_the_password():
    url = "postgresql+asyncpg://postgres:s3cret@127.0.0.1:1/x"
    for args in (["db", "upgrade"], ["care", "preview", "--on", "2026-11-25"]):
        line = _fails(_run(url, *args), "cannot reach the database", "127.0.0.1:1", code=1)
        assert "s3cret" not in line


def test_db_upgrade_to_an_unknown_revision(db):
    _fails(_run(db, "db", "upgrade", "--revision", "nosuchrev"), "nosuchrev", code=1)


def test_serve_on_a_port_already_taken(db):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _run(db, "serve", "--port", str(port), "--role", "web")
    _fails(result, "cannot listen", str(port), code=1)
    assert "Unclosed" not in result.stderr


def test_a_bad_config_value_is_one_line_per_problem(db):
    result = _run(db, "outbox", "list", env={"WXBOT_TIMEZONE": "Mars/Olympus"})
    _fails(result, "timezone", code=2)


def test_mp_menu_push_in_sandbox_is_recorded_not_sent(db):
    result = _run(db, "mp", "menu", "push")
    assert result.exit_code == 0, result.output
    assert "sandbox" in result.stderr + result.stdout
    assert "Traceback" not in result.output


def test_debug_log_level_shows_the_traceback(tmp_path):
    fresh = _sqlite(tmp_path / "fresh.db")
    with pytest.raises(Exception, match="no such table"):
        _run(fresh, "--log-level", "DEBUG", "outbox", "list")


def test_trade_in_quote_that_cannot_be_made(db):
    _fails(_run(db, "trade-in", "quote", "--category", "冰箱", "--age", "-3"), code=1)
    _fails(_run(db, "trade-in", "quote", "--category", "火箭", "--age", "3"), "no unit", code=1)


def test_orders_fitted_of_an_unknown_order(db):
    _fails(_run(db, "orders", "fitted", "F-NOPE"), "F-NOPE", code=1)


def test_an_unexpected_failure_is_one_line_too(db):
    """Whatever a command did not foresee (here chat's own --now parsing) ends as one line."""
    result = _run(db, "chat", "--user", "u1", "--now", "yesterday", stdin="你好\n")
    _fails(result, "yesterday")
