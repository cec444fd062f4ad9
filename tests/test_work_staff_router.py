"""A staff command is declared next to its code (issue 17): a new one is one module and one
``include_staff_routers`` entry, and 帮助 lists it; the shipped commands keep their lines."""

from __future__ import annotations

import pytest
from test_dialog_helpers import seed_staff

from bot.work.router import run_command
from bot.work.staff import who
from bot.work.staff_router import (
    StaffRouter,
    exclude_staff_routers,
    include_staff_routers,
)

duty = StaffRouter("duty")


@duty.command("duty", help="· 排班 —— 今天谁值班", words=("排班", "今天谁值班"))
async def who_is_on_duty(services, staff) -> str:
    return f"{staff.name}，今天值班的是：张师傅、李师傅"


@pytest.fixture
def with_duty():
    include_staff_routers(duty)
    yield
    exclude_staff_routers(duty)


async def _guide(services, userid: str = "G042"):
    await seed_staff(services, userid=userid, name="王导购")
    return await who(services, userid)


async def test_a_declared_command_answers_and_is_in_the_help(services, with_duty):
    guide = await _guide(services)
    said = (await run_command(services, guide, "今天谁值班")).text
    assert "张师傅" in said and "王导购" in said
    assert "排班 —— 今天谁值班" in (await run_command(services, guide, "帮助")).text


async def test_without_its_router_the_words_are_not_a_command(services):
    guide = await _guide(services)
    said = (await run_command(services, guide, "今天谁值班")).text
    assert "张师傅" not in said and "没太看懂" in said
    help_text = (await run_command(services, guide, "帮助")).text
    assert "排班" not in help_text
    assert "任务 —— 今天要做的事" in help_text and "收款" in help_text
    assert "群发" not in help_text  # a group admin's line, not a guide's


async def test_a_group_admin_sees_the_group_lines_too(services):
    admin = await _guide(services, services.settings.work.group_admins[0])
    help_text = (await run_command(services, admin, "帮助")).text
    assert "群管理员：群发" in help_text and "群列表" in help_text


def test_a_command_declared_twice_is_refused():
    twin = StaffRouter("twin")
    twin.command("tasks")(who_is_on_duty)
    with pytest.raises(ValueError, match="tasks"):
        include_staff_routers(twin)
