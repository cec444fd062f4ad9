"""``wxbot convo eval`` scores conversations through the chat path and names each failure."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from bot.commands.convo import convo

CONVERSATIONS = """
- id: fault-question-answered
  user: eval-u1
  turns:
    - say: 燃气灶点不着火 怎么办
      contains: [电池]
  expect:
    tickets: 0
- id: wrongly-expected
  user: eval-u2
  turns:
    - say: 你好
      contains: [这句不会出现]
    - say: 你好
  expect:
    tickets: 1
"""


def test_eval_prints_failures_and_the_pass_rate(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(Path(__file__).resolve().parent.parent)
    (tmp_path / "set.yaml").write_text(CONVERSATIONS, encoding="utf-8")
    result = CliRunner().invoke(convo, ["eval", "--dir", str(tmp_path), "--quiet"])
    assert result.exit_code == 1, result.output
    assert "passed 1/2 (50%)" in result.output
    line = next(x for x in result.output.splitlines() if x.startswith("FAIL wrongly-expected"))
    assert "missing '这句不会出现'" in line
    assert "the same reply twice in a row" in line
    assert "0 tickets made, want 1" in line
    assert "FAIL fault-question-answered" not in result.output


def test_the_heldout_set_has_at_least_thirty_conversations() -> None:
    from bot.convo_eval import load

    convs = load()
    assert len(convs) >= 30
    assert len({c["id"] for c in convs}) == len(convs)
