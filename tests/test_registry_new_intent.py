"""A new intent is one module and one ``include_routers`` entry (issue 17): the NLU learns it
from the corpus declared next to it, the menu and the welcome text offer it, the admin
labels it, and a conversation reaches it. Nothing else is edited."""

from __future__ import annotations

import pytest
from test_dialog_helpers import say

from bot import nlu, vocabulary
from bot.dialog import include_routers, registry
from bot.nlu import intents
from tests.intent_example import invoice


@pytest.fixture
def with_invoice(tmp_path, monkeypatch):
    monkeypatch.setattr(intents, "CACHE_DIR", tmp_path)  # trains a model of its own
    include_routers(invoice.router)
    yield
    registry.exclude_routers(invoice.router)


async def test_an_intent_added_in_one_module_is_understood_offered_and_labelled(
    services, with_invoice
):
    assert "invoice" in intents.INTENTS
    parsed = nlu.parse_with_settings("能帮我开一张发票吗", services.settings)
    assert parsed.intent == "invoice"
    assert "开发票" in registry.menu()
    assert "开发票" in registry.welcome()
    assert vocabulary.label(vocabulary.INTENTS, "invoice") == "开发票"
    # in a conversation: the customer asks, the feature answers
    said = await say(services, "我要开发票，公司报销用")
    assert "电子发票" in said
    menu = await say(services, "菜单", user="u2")
    assert "开发票" in menu


async def test_without_its_router_the_intent_is_nowhere(services):
    assert "invoice" not in intents.INTENTS
    assert "开发票" not in registry.menu()
    assert vocabulary.label(vocabulary.INTENTS, "invoice") == vocabulary.OTHER
    said = await say(services, "我要开发票，公司报销用")
    assert "电子发票" not in said


def test_an_intent_declared_twice_is_refused():
    from bot.dialog import Router

    twin = Router("twin")
    twin.responder("greeting", label="问候", consequence="harmless")(invoice.respond)
    with pytest.raises(ValueError, match="greeting"):
        include_routers(twin)


def test_the_steps_before_routing_are_one_ordered_chain():
    from bot.dialog import middleware

    assert middleware.names() == [
        "confirmed",
        "booking_follow_up",
        "postpone",
        "booking_change",
        "cancel",
        "offered_human",
        "shortcut",
        "rating",
        "form",
        "acknowledgement",
    ]


async def test_a_feature_adds_a_step_where_it_belongs(services):
    from bot.dialog import middleware
    from bot.messages import Reply

    async def closed_today(turn):
        if "营业" in turn.text:
            return Reply(text="今天门店盘点，线上照常服务～", intent="faq")
        return None

    middleware.use(closed_today, name="closed_today", after="shortcut")
    try:
        assert "盘点" in await say(services, "今天营业吗")
        assert "盘点" not in await say(services, "空调不制冷了", user="u9")  # others go their way
    finally:
        middleware.remove("closed_today")
    assert "盘点" not in await say(services, "今天营业吗", user="u3")


def test_the_dialog_imports_no_handler():
    import ast
    from pathlib import Path

    for path in (Path(__file__).parents[1] / "bot" / "dialog").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                assert not (node.module or "").startswith("handlers"), path
            elif isinstance(node, ast.Import):
                assert not any(a.name.startswith("handlers") for a in node.names), path
