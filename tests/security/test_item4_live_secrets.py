"""Issue 16, item 4: live mode starts with the public demo secrets.

``wxbot serve`` with ``sandbox: false`` refuses (exit 2, one ``config error:`` line per
setting, as for a bad config) every credential that is empty, one of the sandbox values
shipped in config.yaml, or too weak, and a missing WXBOT_ADMIN_SECRET where several web
processes may run. Tried through the CLI, as an operator would.
"""

from __future__ import annotations

import socket

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.web.passwords import hash_password

# Credentials an operator would set: long, random-looking, WeChat's alphabet.
GOOD = {
    "WXBOT_SANDBOX": "false",
    "WXBOT_MP__APP_ID": "wx1a2b3c4d5e6f7a8b",
    "WXBOT_MP__APP_SECRET": "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
    "WXBOT_MP__TOKEN": "Q7kd93JfLw02MxZp",
    "WXBOT_MP__ENCODING_AES_KEY": "aZ3kP9qL2mX8vB7nC6dF5gH4jK1lQ0wE2rT3yU4iO5p",
    "WXBOT_WORK__CORP_ID": "ww1a2b3c4d5e6f7a8b",
    "WXBOT_WORK__SECRET": "Hq8Zr2Vb7Nx4Mc1Lk9Jh3Gf6Ds5Aa0Pp2Oo3Ii4Uu5Y",
    "WXBOT_WORK__TOKEN": "Rt5Yu8Io1Pa4Sd7F",
    "WXBOT_WORK__ENCODING_AES_KEY": "bY4lQ0rM3nZ9wC8oD7eG6hJ5kL2mR1xF3sU4zV5jP6q",
    "WXBOT_ADMIN_SECRET": "k3J9x0QwE7rT5yU1iO8pA2sD4fG6hJ9kL",
}


def _serve(db_path, env: dict[str, str], *args: str):
    """``wxbot serve`` on a port already taken: past the check it stops there (exit 1)."""
    full = {"WXBOT_DATABASE__URL": f"sqlite+aiosqlite:///{db_path}", **env}
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = str(taken.getsockname()[1])
        return CliRunner().invoke(
            main, ["serve", "--port", port, *args], env=full, catch_exceptions=False
        )


def _errors(result) -> list[str]:
    assert "Traceback" not in result.output
    return [line for line in result.stderr.splitlines() if line.startswith("config error: ")]


def _settings_named(lines: list[str]) -> set[str]:
    return {line.removeprefix("config error: ").split(":", 1)[0] for line in lines}


def test_live_mode_with_the_shipped_demo_config_exits_2_naming_every_setting(db_path):
    result = _serve(db_path, {"WXBOT_SANDBOX": "false"}, "--role", "web")
    assert result.exit_code == 2, result.output
    lines = _errors(result)
    assert _settings_named(lines) == {
        "mp.app_id",
        "mp.app_secret",
        "mp.token",
        "mp.encoding_aes_key",
        "work.corp_id",
        "work.secret",
        "work.token",
        "work.encoding_aes_key",
        "WXBOT_ADMIN_SECRET",
    }
    assert len(lines) == 9  # one line per problem
    assert all("public sandbox value" in line for line in lines if "WXBOT_ADMIN" not in line)
    # no secret is echoed back
    assert "sandboxtoken" not in result.output and "6PmTxj5q" not in result.output


@pytest.mark.parametrize(
    ("env", "setting", "needle"),
    [
        ({"WXBOT_MP__TOKEN": ""}, "mp.token", "empty"),
        ({"WXBOT_MP__TOKEN": "ab"}, "mp.token", "3-32 letters and digits"),
        ({"WXBOT_MP__TOKEN": "tok-en_with!"}, "mp.token", "3-32 letters and digits"),
        ({"WXBOT_MP__TOKEN": "abc123"}, "mp.token", "too short"),
        ({"WXBOT_WORK__TOKEN": "sandboxworktoken"}, "work.token", "public sandbox value"),
        ({"WXBOT_MP__APP_SECRET": "secret"}, "mp.app_secret", "too short"),
        (
            {"WXBOT_MP__ENCODING_AES_KEY": "aZ3kP9qL2mX8vB7nC6dF5gH4jK1lQ0wE2rT3yU4i-_+"},
            "mp.encoding_aes_key",
            "43 letters and digits",
        ),
        ({"WXBOT_MP__ENCODING_AES_KEY": ""}, "mp.encoding_aes_key", "plain mode"),
        ({"WXBOT_ADMIN_SECRET": "short"}, "WXBOT_ADMIN_SECRET", "too short"),
        ({"WXBOT_ADMIN_SECRET": ""}, "WXBOT_ADMIN_SECRET", "several web processes"),
        ({"WXBOT_METRICS__TOKEN": "x"}, "metrics.token", "too short"),
    ],
)
def test_one_weak_or_missing_setting_is_named(db_path, env, setting, needle):
    result = _serve(db_path, {**GOOD, **env}, "--role", "web")
    assert result.exit_code == 2, result.output
    lines = _errors(result)
    assert len(lines) == 1, lines
    assert _settings_named(lines) == {setting}
    assert needle in lines[0]


def test_the_demo_admin_password_hash_is_refused(db_path):
    demo_hash = hash_password("wxbot-demo")
    result = _serve(db_path, {**GOOD, "WXBOT_ADMIN_PASSWORD_HASH": demo_hash})
    assert result.exit_code == 2
    assert _settings_named(_errors(result)) == {"WXBOT_ADMIN_PASSWORD_HASH"}


def test_plain_mode_without_a_key_is_an_explicit_choice(db_path):
    env = {**GOOD, "WXBOT_MP__ENCODING_AES_KEY": "", "WXBOT_MP__MESSAGE_MODE": "plain"}
    _passes_the_check(db_path, env)


def test_one_process_may_run_without_an_admin_secret(db_path):
    env = {k: v for k, v in GOOD.items() if k != "WXBOT_ADMIN_SECRET"}
    _passes_the_check(db_path, env, "--role", "all")


def test_good_live_credentials_pass_the_check(db_path):
    _passes_the_check(db_path, GOOD, "--role", "web")


def test_sandbox_mode_keeps_the_demo_credentials(db_path):
    _passes_the_check(db_path, {"WXBOT_SANDBOX": "true"}, "--role", "web")


def _passes_the_check(db_path, env: dict[str, str], *args: str) -> None:
    result = _serve(db_path, env, *args)
    assert _errors(result) == []
    assert result.exit_code == 1 and "cannot listen" in result.stderr, result.output
