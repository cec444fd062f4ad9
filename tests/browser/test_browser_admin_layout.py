"""Every admin page as a store manager sees it: on a 390 px phone and a 1280 px desktop no page
scrolls sideways, every navigation link is on screen, and no page shows an internal name
(a code with an underscore, or an English intent, kind, channel or role key)."""

from __future__ import annotations

import re

import pytest

from bot import vocabulary
from tests.browser.test_browser_repair_flow import TRAFFIC, _letters, _login

PAGES = {
    "dashboard": "/admin",
    "customers": "/admin/customers",
    "customer": "/admin/customers/1",
    "tickets": "/admin/tickets",
    "ticket": "/admin/tickets/1",
    "trade-ins": "/admin/trade-ins",
    "orders": "/admin/orders",
    "leads": "/admin/leads",
    "outbox": "/admin/outbox",
    "care": "/admin/care",
    "rentals": "/admin/rentals",
    "scrm": "/admin/scrm",
    "accounts": "/admin/accounts",
    "staff": "/admin/staff",
}
# Codes a manager must never read. Words with an underscore are caught by the pattern below.
CODES = (
    set(vocabulary.INTENTS)
    | set(vocabulary.TICKET_KINDS)
    | set(vocabulary.CHANNELS)
    | set(vocabulary.OUTBOX_KINDS)
    | set(vocabulary.ROLES)
    | {"birthday", "festival", "lifecycle", "reminder", "mp", "work"}
) - {"admin"}  # the sandbox account's own user name is shown as who is logged in
UNDERSCORED = re.compile(r"\b[a-z]+_[a-z_]+\b")
SYNTAX = re.compile(
    r"\b(?:tag|store|guide|category|district|age|contact|segment)(?::|[<>=]{1,2})\S+"
)


def internal_names(text: str) -> list[str]:
    # the segment syntax a manager types (tag:…, guide:G001, age>=8) is a documented input
    text = SYNTAX.sub(" ", text)
    found = UNDERSCORED.findall(text)
    words = set(re.findall(r"\b[a-z_]+\b", text))
    return sorted(set(found) | (words & CODES))


def test_the_checker_sees_what_leaked_before():
    """The checker itself: the words of the pages before they were translated."""
    assert internal_names("意图 cancel faq work_tasks · 待派单 · customer") == [
        "cancel",
        "customer",
        "faq",
        "work_tasks",
    ]
    assert internal_names("生日祝福 黄秀英 导购任务 ¥12.00 R20261203-0001") == []
    assert internal_names("人群预览：tag:空调8年以上 guide:G001 age>=8") == []
    assert internal_names("导购 guide") == ["guide"]


@pytest.mark.parametrize("width", [390, 1280])
async def test_every_admin_page_fits_and_speaks_chinese(context, live, shot, services, width):
    await _letters(services)
    page = await context.new_page()
    for openid, text in TRAFFIC:  # conversations, so the charts have intents to label
        resp = await page.request.post(
            live + "/playground/api/mp",
            data={"openid": openid, "text": text},
            headers={"X-Playground": "1"},
        )
        assert resp.ok, await resp.text()
    await page.set_viewport_size({"width": width, "height": 844 if width < 600 else 900})
    await _login(page, live)
    problems: list[str] = []
    for name, path in PAGES.items():
        resp = await page.goto(live + path)
        assert resp is not None and resp.status == 200, path
        await shot(page, f"admin-{name}-{width}")
        sideways = await page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if sideways > 1:
            problems.append(f"{path}: scrolls sideways by {sideways}px at {width}px")
        for link in await page.locator("header.top nav a").all():
            box = await link.bounding_box()
            label = (await link.inner_text()).strip()
            if box is None or box["x"] < 0 or box["x"] + box["width"] > width + 1:
                problems.append(f"{path}: nav link {label} out of reach at {width}px")
        leaked = internal_names(await page.inner_text("body"))
        if leaked:
            problems.append(f"{path}: internal names shown: {leaked}")
    assert not problems, "\n".join(problems)
