"""Config: the shipped file runs as is; env wins; bad config → one line per problem, exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings

REPO = Path(__file__).resolve().parent.parent


def test_shipped_config_loads_in_sandbox_mode():
    s = load_settings(REPO / "config.yaml")
    assert s.sandbox is True
    assert s.timezone == "Asia/Shanghai"
    assert s.security.max_clock_skew_s == 300
    assert s.security.max_body_bytes == 65536
    assert s.database.url.startswith("sqlite+aiosqlite")
    assert len(s.mp.encoding_aes_key) == 43


def test_environment_overrides_the_file(monkeypatch):
    monkeypatch.setenv("WXBOT_DATABASE__URL", "postgresql+asyncpg://postgres@127.0.0.1/test")
    monkeypatch.setenv("WXBOT_MP__TOKEN", "from-env")
    monkeypatch.setenv("WXBOT_SECURITY__MAX_CLOCK_SKEW_S", "0")
    monkeypatch.setenv("WXBOT_SANDBOX", "false")
    s = load_settings(REPO / "config.yaml")
    assert s.database.url == "postgresql+asyncpg://postgres@127.0.0.1/test"
    assert s.mp.token == "from-env"
    assert s.mp.app_id == "wxsandbox0000mp01"  # untouched keys of the same section stay
    assert s.security.max_clock_skew_s == 0
    assert s.sandbox is False


def test_env_references_are_expanded(tmp_path, monkeypatch):
    text = (REPO / "config.yaml").read_text(encoding="utf-8")
    path = tmp_path / "c.yaml"
    path.write_text(text.replace("token: sandboxtoken", "token: ${MY_MP_TOKEN}"), encoding="utf-8")
    monkeypatch.setenv("MY_MP_TOKEN", "expanded")
    assert load_settings(path).mp.token == "expanded"
    monkeypatch.delenv("MY_MP_TOKEN")
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    assert err.value.problems == ["mp.token: environment variable MY_MP_TOKEN is not set"]


def test_wxbot_config_selects_another_file(tmp_path, monkeypatch):
    text = (
        (REPO / "config.yaml")
        .read_text(encoding="utf-8")
        .replace("timezone: Asia/Shanghai", "timezone: Asia/Urumqi")
    )
    path = tmp_path / "other.yaml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("WXBOT_CONFIG", str(path))
    assert load_settings().timezone == "Asia/Urumqi"


def _bad_config(tmp_path: Path) -> Path:
    text = (REPO / "config.yaml").read_text(encoding="utf-8")
    text = text.replace("timezone: Asia/Shanghai", "timezone: Mars/Olympus")
    text = text.replace("max_body_bytes: 65536", "max_body_bytes: lots")
    text = text.replace(
        "encoding_aes_key: 6PmTxj5qP1aZHSrJYswXuJSlql2obkXIEbgrViOmaEP", "encoding_aes_key: short"
    )
    text = text.replace("sandbox: true", "sandbox: true\nsandbx: false")
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_bad_config_names_every_problem(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_settings(_bad_config(tmp_path))
    problems = err.value.problems
    assert any(p.startswith("timezone: ") and "Mars/Olympus" in p for p in problems)
    assert any(p.startswith("security.max_body_bytes: ") for p in problems)
    assert any(p.startswith("mp.encoding_aes_key: ") and "43" in p for p in problems)
    assert "sandbx: unknown key" in problems
    assert len(problems) == 4


def test_bad_config_stops_the_cli_with_exit_2_and_no_traceback(tmp_path):
    env = {"WXBOT_CONFIG": str(_bad_config(tmp_path)), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli", "db", "upgrade"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith("config error: ")]
    assert len(lines) == 4


def test_broken_yaml_is_one_clear_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("mp: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    assert len(err.value.problems) == 1
    assert "not valid YAML" in err.value.problems[0]
