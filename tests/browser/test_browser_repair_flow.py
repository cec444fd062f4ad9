"""In a real browser: book a repair in the playground, finish it in admin, see the rating request."""

from __future__ import annotations

import re

from tests.browser.conftest import SHOTS

OPENID = "demo-openid-01"


async def _bot_texts(page) -> list[str]:
    return await page.locator("#chat .row.bot .bubble").all_inner_texts()


async def _say(page, text: str) -> str:
    """Type ``text``, send it, and return the bot's new reply."""
    before = len(await _bot_texts(page))
    await page.fill("#text", text)
    await page.click("#send")
    await page.wait_for_function(
        "n => document.querySelectorAll('#chat .row.bot .bubble').length > n", arg=before
    )
    await page.wait_for_function("() => !document.querySelector('#text').disabled")
    return (await _bot_texts(page))[-1]


def _answer(question: str) -> str:
    if "核对" in question or "确认" in question:
        return "确认"
    if "电话" in question or "手机" in question:
        return "13900210001"
    if "地址" in question or "上门到" in question:
        return "是的"
    if "时间" in question or "什么时候" in question:
        return "明天下午"
    return "是的"


async def _login(page, base: str) -> None:
    await page.goto(base + "/admin/tickets")
    assert "/admin/login" in page.url
    await page.fill("input[name=username]", "admin")
    await page.fill("input[name=password]", "wxbot-demo")
    await page.click("button[type=submit]")
    await page.wait_for_url(re.compile(r"/admin/tickets$"))


async def test_repair_booking_end_to_end(context, live, shot):
    chat = await context.new_page()
    await chat.goto(live + "/playground")
    await shot(chat, "playground-start")
    await chat.select_option("#who", OPENID)
    await chat.wait_for_function("() => !document.querySelector('#text').disabled")

    reply = await _say(chat, "空调不制冷 想明天下午修")
    for _ in range(6):
        if re.search(r"[A-Z]\d{8}-\d{4}", reply):
            break
        reply = await _say(chat, _answer(reply))
    number = re.search(r"[A-Z]\d{8}-\d{4}", reply)
    assert number, await _bot_texts(chat)
    number = number.group(0)
    await shot(chat, "playground-booked")

    admin = await context.new_page()
    await _login(admin, live)
    await shot(admin, "admin-tickets")
    await admin.click(f"text={number}")
    await admin.wait_for_url(re.compile(r"/admin/tickets/\d+"))
    assert "空调" in await admin.inner_text("main")
    await shot(admin, "admin-ticket-open")
    await admin.select_option("#status-select", "done")
    await admin.click("text=更新并通知客户")
    await admin.wait_for_selector("text=状态已更新")
    assert (await admin.inner_text("#ticket-status")).strip() == "已完成"
    await shot(admin, "admin-ticket-done")

    # the customer is told, and asked for a rating, in the chat (polled from the outbox)
    await chat.bring_to_front()
    await chat.wait_for_function(
        "num => [...document.querySelectorAll('#chat .row.bot .bubble')]"
        ".some(b => b.textContent.includes(num) && b.textContent.includes('打个分'))",
        arg=number,
        timeout=20_000,
    )
    await shot(chat, "playground-rating-request")
    thanks = await _say(chat, "5星")
    assert thanks
    await shot(chat, "playground-rated")


ADMIN_PAGES = {
    "admin-dashboard": "/admin",
    "admin-customers": "/admin/customers",
    "admin-customer": "/admin/customers/1",
    "admin-trade-ins": "/admin/trade-ins",
    "admin-orders": "/admin/orders",
    "admin-leads": "/admin/leads",
    "admin-outbox": "/admin/outbox",
    "admin-care": "/admin/care",
}


TRAFFIC = [
    ("demo-openid-02", "你好"),
    ("demo-openid-02", "油烟机要清洗"),
    ("demo-openid-03", "我家冰箱用了8年了能换多少钱"),
    ("demo-openid-04", "查一下进度"),
    ("demo-openid-05", "买滤芯"),
    ("demo-openid-06", "谢谢"),
]


async def _letters(services) -> None:
    """A sent care message, a failed one and a dead letter, for the outbox page."""
    from storage.repos import outbox as outbox_repo

    async with services.db.transaction() as s:
        for status, error, text in [
            ("sent", None, "黄秀英您好，您家净水器的PP棉滤芯快到期了，回复“买滤芯”一键下单。"),
            (
                "failed",
                "errcode 45047: out of customer-service message limit",
                "天冷了，空调制热前记得清洗滤网哦～",
            ),
            (
                "dead",
                "errcode 43004: require subscribe (the user unfollowed)",
                "小雪节气到了，注意保暖。",
            ),
        ]:
            row = await outbox_repo.enqueue(
                s,
                channel="mp_kf",
                recipient="demo-openid-01",
                text=text,
                kind="lifecycle",
                customer_id=1,
                rule="filter_due",
            )
            row.status, row.last_error = status, error


async def test_every_page_in_the_browser(context, live, shot, services):
    await _letters(services)
    page = await context.new_page()
    for openid, text in TRAFFIC:  # some conversations for the charts
        resp = await page.request.post(
            live + "/playground/api/mp",
            data={"openid": openid, "text": text},
            headers={"X-Playground": "1"},
        )
        assert resp.ok, await resp.text()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    await page.goto(live + "/admin/login")
    await shot(page, "admin-login")
    await _login(page, live)
    for name, path in ADMIN_PAGES.items():
        resp = await page.goto(live + path)
        assert resp is not None and resp.status == 200, path
        await shot(page, name)
    await page.goto(live + "/admin/outbox?status=dead")
    assert "43004" in await page.inner_text("main")
    await page.click("text=重试")
    await page.wait_for_selector("text=已重新排队发送")
    await shot(page, "admin-outbox-retried")

    guide = await context.new_page()
    guide.on("pageerror", lambda e: errors.append(str(e)))
    await guide.goto(live + "/playground?as=work")
    await guide.select_option("#who", "G001")
    await guide.wait_for_function("() => !document.querySelector('#text').disabled")
    assert await _say(guide, "任务")
    await shot(guide, "playground-guide")

    follower = await context.new_page()
    await follower.goto(live + "/playground")
    await follower.select_option("#who", "__new__")
    await follower.wait_for_selector("#chat .row.bot")
    await follower.click(".menu-btn[data-key=MENU_REPAIR]")
    await follower.wait_for_function(
        "() => document.querySelectorAll('#chat .row.bot').length >= 2"
    )
    await follower.click(".menu-top[data-toggle]")
    await follower.wait_for_selector(".submenu .menu-btn[data-key=MENU_HUMAN]", state="visible")
    await shot(follower, "playground-new-follower-menu")
    assert not errors, errors
    assert len(list(SHOTS.glob("*.png"))) >= 12
