"""The public surface of bot.nlu, normalisation, out-of-scope chatter, and the CLI."""

import json

import pytest
from click.testing import CliRunner
from nlu_helpers import NOW

import bot.nlu as nlu
from bot.config import REPO_ROOT, load_settings
from bot.nlu import Entity, Parse, parse, parse_with_settings
from bot.nlu.normalize import canonical, for_intent


def test_as_json_has_exactly_the_contract_keys():
    p = parse("明天上午来修格力空调 电话13812345678", now=NOW)
    out = p.as_json()
    assert set(out) == {"text", "intent", "confidence", "entities"}
    assert out["intent"] == "repair"
    assert 0.0 <= out["confidence"] <= 1.0
    assert all(set(e) == {"type", "value", "text"} for e in out["entities"])
    assert {e["type"] for e in out["entities"]} >= {
        "datetime",
        "brand",
        "product_category",
        "phone",
    }


def test_entities_come_in_text_order_with_spans():
    p = parse("格力空调 13812345678", now=NOW)
    assert [e.type for e in p.entities] == ["brand", "product_category", "phone"]
    phone = p.first("phone")
    assert isinstance(phone, Entity)
    assert p.text[phone.start : phone.end] == "13812345678"
    assert p.first("address") is None


def test_parse_is_a_parse():
    assert isinstance(parse("你好"), Parse)  # now defaults to the wall clock


BOOKINGS = {"repair", "install", "cleaning", "trade_in", "filter_reorder", "register_product"}


@pytest.mark.parametrize(
    "text",
    [
        "今天天气真好",
        "你是不是真人呀",
        "给我讲个鬼故事",
        "周杰伦的新歌好听吗",
        "你吃饭了吗",
        "帮我查下快递 顺丰的",
        "附近哪有银行",
        "明天要下雪吗",
        "你们公司几个人",
        "哈哈哈哈",
        "😂😂😂",
        "",
    ],
)
def test_small_talk_is_never_a_booking(text):
    assert parse(text, now=NOW).intent not in BOOKINGS


@pytest.mark.parametrize(
    "text, intent",
    [
        ("订阅", "unsubscribe"),
        ("重新打开推送", "unsubscribe"),
        ("修空调", "repair"),
        ("AC不制冷", "repair"),
        ("空調壞了！！！", "repair"),
        ("ＴＤ", "unsubscribe"),
        ("我要投訴！！！😡", "complaint"),
    ],
)
def test_short_mixed_and_traditional_messages(text, intent):
    assert parse(text, now=NOW).intent == intent


def test_normalisation():
    assert canonical("ＡＢＣ１２３，熱水器😀") == "ABC123,热水器 "
    assert len(canonical("以舊換新😀")) == len("以舊換新😀")
    assert for_intent("好好好好好！！！ＡＢＣ  熱水器～～") == "好好 abc 热水器"


def test_parse_with_settings_uses_the_config_dictionaries():
    settings = load_settings(REPO_ROOT / "config.yaml", nlu={"categories": {"按摩椅": ["摩摩椅"]}})
    p = parse_with_settings("摩摩椅坏了", settings, now=NOW)
    assert p.first("product_category").value == "按摩椅"
    nlu.configure(load_settings(REPO_ROOT / "config.yaml"))  # back to the shipped config


def test_parse_waits_for_a_warm_up_in_progress(monkeypatch):
    monkeypatch.setattr(nlu, "_pipeline", None)
    monkeypatch.setattr(nlu, "_config_key", None)
    monkeypatch.setattr(nlu, "_built", {})
    thread = nlu.warm_up_in_background()
    assert parse("滤芯该换了", now=NOW).intent == "filter_reorder"
    thread.join(timeout=30)
    assert nlu.current_pipeline() is nlu._pipeline


def _run(args, stdin=""):
    from bot.cli import main

    return CliRunner().invoke(main, args, input=stdin, catch_exceptions=False)


def test_cli_parse_writes_one_json_object_per_line():
    result = _run(
        ["nlu", "parse", "--now", "2026-11-25T10:00:00+08:00"],
        "明天下午来装热水器\n\n谢谢\n",
    )
    assert result.exit_code == 0
    lines = [json.loads(line) for line in result.output.strip().splitlines()]
    assert [x["intent"] for x in lines] == ["install", "thanks"]
    assert lines[0]["entities"][0] == {
        "type": "datetime",
        "value": "2026-11-26T13:00:00+08:00/2026-11-26T18:00:00+08:00",
        "text": "明天下午",
    }
    assert "明天下午" in result.output  # ensure_ascii=False


def test_cli_parse_rejects_a_bad_now():
    from bot.cli import main

    result = CliRunner().invoke(main, ["nlu", "parse", "--now", "tomorrow"], input="你好\n")
    assert result.exit_code != 0


def test_cli_eval_reports_per_intent_scores(tmp_path):
    f = tmp_path / "set.yaml"
    f.write_text(
        'now: "2026-11-25T10:00:00+08:00"\n'
        "utterances:\n"
        '- {text: 明天来修冰箱 13812345678, intent: repair, phone: "13812345678", datetime: "2026-11-26"}\n'
        "- {text: 退订, intent: unsubscribe}\n"
        "- {text: 你好, intent: thanks}\n",
        encoding="utf-8",
    )
    result = _run(["nlu", "eval", str(f)])
    assert result.exit_code == 0
    assert "intent accuracy: 0.667 (2/3)" in result.output
    assert "thanks -> greeting: 1" in result.output
    assert "phone             1.000 (1/1)" in result.output
    assert "datetime          1.000 (1/1)" in result.output


async def test_aparse_answers_on_the_event_loop():
    settings = load_settings(REPO_ROOT / "config.yaml")
    first = await nlu.aparse("退订", settings, now=NOW)
    again = await nlu.aparse("明天来装空调", settings, now=NOW)
    assert first.intent == "unsubscribe"
    assert again.intent == "install"
    assert again.first("datetime").value == "2026-11-26"
    assert nlu.is_ready()


def test_without_settings_parse_uses_the_config_file(monkeypatch):
    monkeypatch.setattr(nlu, "_pipeline", None)
    monkeypatch.setattr(nlu, "_config_key", None)
    monkeypatch.setattr(nlu, "_last_settings", None)
    monkeypatch.setattr(nlu, "_built", {})
    pipeline = nlu.current_pipeline()
    shipped = load_settings(REPO_ROOT / "config.yaml").nlu
    assert pipeline.threshold == float(shipped["confidence_threshold"])
    assert "柜机" in pipeline.lexicon.categories["空调"]
