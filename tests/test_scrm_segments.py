"""Segments over the demo world: `wxbot segment count|show|save`, AND of terms, clear errors."""

from __future__ import annotations

import asyncio

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.context import build_services
from bot.demo import seed_demo
from bot.scrm import segments
from bot.scrm.segments import SegmentError, parse
from bot.scrm.tags import recompute


@pytest.fixture
async def world(services):
    await seed_demo(services)
    await recompute(services)
    return services


async def test_terms_combine_with_and(world):
    async def n(expr: str) -> int:
        return await segments.count(world, expr)

    assert await n("store:S001") + await n("store:S002") == 30
    assert await n("tag:空调8年以上") == 1
    assert await n("tag:空调8年以上 store:S001") == 1
    assert await n("tag:空调8年以上 store:S002") == 0
    assert await n("tag:空调8年以上 guide:G002") == 1
    assert await n("tag:空调8年以上 guide:G001") == 0
    assert await n("category:空调 age>=8") == 1
    assert await n("category:空调 age>=12") == 0
    assert await n("category:空调 age=11") == 1
    ac = await n("category:空调")
    assert await n("category:空调 age<8") == ac - 1
    assert await n("district:浦东新区") == await n("store:S002")
    assert await n("contact<=7") == 0  # nobody has written yet


async def test_show_lists_the_members(world):
    total, rows = await segments.show(world, "tag:空调8年以上")
    assert total == 1
    [(_id, name, phone, store, guide)] = rows
    assert (phone, store, guide) == ("13900210002", "S001", "G002")


@pytest.mark.parametrize(
    "expr, says",
    [
        ("", "empty"),
        ("foo:bar", "unknown term 'foo:bar'"),
        ("age>>3", "bad comparison"),
        ("age>=x", "bad comparison"),
        ("空调", "unknown term"),
    ],
)
def test_bad_expressions_say_what_is_wrong(expr, says):
    with pytest.raises(SegmentError, match=says):
        parse(expr)


async def test_unknown_names_are_errors_not_empty_segments(world):
    with pytest.raises(SegmentError, match="unknown tag:不存在, store:S999"):
        await segments.count(world, "tag:不存在 store:S999")


def _cli(settings, *args):
    env = {"WXBOT_DATABASE__URL": settings.database.url}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_cli_count_prints_one_integer_and_exits_2_on_a_bad_expression(settings):
    async def seed():
        svc = build_services(settings)
        try:
            await seed_demo(svc)
            await recompute(svc)
        finally:
            await svc.close()

    asyncio.run(seed())
    out = _cli(settings, "segment", "count", "tag:空调8年以上 store:S001")
    assert out.exit_code == 0 and out.stdout == "1\n"
    out = _cli(settings, "segment", "count", "tag:空调8年以上", "store:S002")
    assert out.stdout == "0\n"
    bad = _cli(settings, "segment", "count", "colour:red")
    assert bad.exit_code == 2 and "bad segment" in bad.stderr and bad.stdout == ""
    shown = _cli(settings, "segment", "show", "category:空调 age>=8")
    assert shown.exit_code == 0 and "13900210002" in shown.stdout
    saved = _cli(settings, "segment", "save", "老空调", "category:空调 age>=8")
    assert saved.exit_code == 0 and "1 customers" in saved.stdout
    assert _cli(settings, "segment", "count", "segment:老空调 store:S001").stdout == "1\n"
    assert "老空调\t1\t" in _cli(settings, "segment", "list").stdout
