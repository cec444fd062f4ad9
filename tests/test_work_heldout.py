"""Held-out WeCom staff messages (tests/work_heldout/*.yaml), written as real staff type them.

Each case runs on a fresh demo world with three tasks for G001 today; ``before`` lines are
said first (by ``before_user``, default the same user; answers unchecked), then ``say`` must answer with every ``expect`` substring,
at least one ``expect_any``, and no ``reject``. ``xfail: reason`` marks a known gap."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from bot.demo import seed_demo
from bot.work.router import NOT_STAFF, run_command
from bot.work.staff import who
from storage.models import Customer, GuideTask, ServiceTicket, Staff

HERE = Path(__file__).parent / "work_heldout"
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _cases() -> list:
    out = []
    for path in sorted(HERE.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            marks = (
                [pytest.mark.xfail(reason=case["xfail"], strict=True)] if "xfail" in case else []
            )
            out.append(pytest.param(case, id=f"{path.stem}:{case['id']}", marks=marks))
    return out


async def _world(services) -> dict[str, str]:
    await seed_demo(services)
    try:
        from bot.work.groups import sync_groups

        await sync_groups(services)
    except ImportError:  # pragma: no cover
        pass
    today = services.clock.local_now().date()
    async with services.db.transaction() as s:
        g1 = await s.scalar(select(Staff.id).where(Staff.wecom_userid == "G001"))
        c1 = await s.scalar(select(Customer).where(Customer.phone == "13900210001"))
        c9 = await s.scalar(select(Customer).where(Customer.phone == "13900210009"))
        s.add_all(
            [
                GuideTask(
                    guide_id=g1,
                    customer_id=c9.id,
                    kind="birthday",
                    title=f"生日祝福：{c9.name}",
                    text="生日快乐！祝您身体健康、万事顺意～",
                    due_on=today - timedelta(days=1),
                    idem_key="h1",
                ),
                GuideTask(
                    guide_id=g1,
                    customer_id=c1.id,
                    kind="filter_due",
                    title=f"滤芯到期：{c1.name}",
                    text="您家净水器的PP棉滤芯快到期了，需要帮您预约更换吗？",
                    due_on=today,
                    idem_key="h2",
                ),
                GuideTask(
                    guide_id=g1,
                    customer_id=None,
                    kind="follow_up",
                    title="回访上周安装的三位顾客",
                    due_on=today,
                    idem_key="h3",
                ),
            ]
        )
        number = await s.scalar(select(ServiceTicket.number).order_by(ServiceTicket.id))
    return {
        "ticket": number,
        "ticket_lower": number.lower(),
        "ticket_fullwidth": number.translate(FULLWIDTH),
    }


async def _say(services, userid: str, text: str) -> str:
    staff = await who(services, userid)
    if staff is None:
        return NOT_STAFF
    return (await run_command(services, staff, text)).text


@pytest.mark.parametrize("case", _cases())
async def test_heldout(services, case: dict) -> None:
    subs = await _world(services)
    user = case.get("user", "G001")
    for line in case.get("before", []):
        await _say(services, case.get("before_user", user), line.format(**subs))
    answer = await _say(services, user, case["say"].format(**subs))
    shown = f"{case['say']!r} → {answer!r}"
    for want in case.get("expect", []):
        assert want.format(**subs) in answer, shown
    if case.get("expect_any"):
        assert any(w.format(**subs) in answer for w in case["expect_any"]), shown
    for bad in case.get("reject", []):
        assert bad.format(**subs) not in answer, shown


async def test_group_post_goes_out_as_typed(services) -> None:
    """The time is read through full-width / traditional text; the content keeps its emoji
    and full-width punctuation exactly as the admin typed them."""
    from storage.models import OutboxMessage

    await _world(services)
    answer = await _say(
        services, "G001", "群發 陽光花園 明天上午１０：３０ 周六福利日🎉空調清洗８折！"
    )
    assert "11月26日 10:30" in answer
    async with services.db.session() as s:
        row = await s.scalar(select(OutboxMessage).where(OutboxMessage.channel == "group_robot"))
    assert row is not None and row.text == "周六福利日🎉空調清洗８折！"
