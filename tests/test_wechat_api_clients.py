"""The API clients against the fake WeChat server: tokens, retries, typed errors, robots."""

from __future__ import annotations

import pytest

from bot.context import build_services
from bot.wechat.errors import NotFollower, OutsideWindow, RateLimited, Transient
from bot.wechat.mp_api import MpApi
from bot.wechat.robot_api import MinuteLimiter, RobotApi
from bot.wechat.work_api import WorkApi

pytest_plugins = ["tests.fakes.fixtures"]

KF = "/cgi-bin/message/custom/send"


async def test_send_text_fetches_one_token_and_posts_the_message(live_services, fake_wechat):
    api = MpApi.of(live_services)
    await api.send_text("openid-1", "您好，滤芯该换了")
    await api.send_text("openid-2", "第二条")
    assert len(fake_wechat.calls("/cgi-bin/token")) == 1
    sent = fake_wechat.calls(KF)
    assert [c.json["touser"] for c in sent] == ["openid-1", "openid-2"]
    assert sent[0].json["text"]["content"] == "您好，滤芯该换了"


async def test_every_customer_service_kind_goes_out_as_wechatpy_builds_it(
    live_services, fake_wechat
):
    """Image, news and menu messages: wechatpy's message API decides the body (a news
    article without a description or picture still carries every field WeChat reads)."""
    api = MpApi.of(live_services)
    await api.send_image("o1", "MEDIA-1")
    await api.send_news("o1", [{"title": "滤芯到期提醒", "url": "https://x/filter"}])
    await api.send_menu("o1", "这次服务满意吗？", [("s5", "满意"), ("s1", "不满意")], "谢谢")
    image, news, menu = (c.json for c in fake_wechat.calls(KF))
    assert image == {"touser": "o1", "msgtype": "image", "image": {"media_id": "MEDIA-1"}}
    [article] = news["news"]["articles"]
    assert article == {
        "title": "滤芯到期提醒",
        "description": "",
        "url": "https://x/filter",
        "picurl": "",
    }
    assert menu["msgtype"] == "msgmenu"
    assert menu["msgmenu"]["list"] == [
        {"id": "s5", "content": "满意"},
        {"id": "s1", "content": "不满意"},
    ]


def test_a_wechatpy_call_that_is_not_a_json_post_is_refused(live_services):
    """``send`` only carries JSON POSTs; anything else would be sent wrong, so it is not sent."""
    api = MpApi.of(live_services)
    with pytest.raises(TypeError, match="not a JSON POST"):
        api.built_by_wechatpy(lambda c: c.user.get("o1"))


async def test_a_second_process_reuses_the_stored_token(live_settings, fake_wechat):
    one = build_services(live_settings)
    two = build_services(live_settings)
    try:
        await MpApi.of(one).send_text("o1", "a")
        await MpApi.of(two).send_text("o2", "b")
    finally:
        await one.close()
        await two.close()
    assert len(fake_wechat.calls("/cgi-bin/token")) == 1


@pytest.mark.parametrize("code", [40001, 42001, 40014])
async def test_a_refused_token_is_refreshed_once_and_the_call_retried(
    live_services, fake_wechat, code
):
    api = MpApi.of(live_services)
    await api.send_text("o1", "warm up")
    fake_wechat.script(KF, [code])
    await api.send_text("o1", "again")
    assert len(fake_wechat.calls("/cgi-bin/token")) == 2
    assert len(fake_wechat.calls(KF)) == 3


async def test_expired_tokens_are_replaced(live_services, fake_wechat):
    api = MpApi.of(live_services)
    await api.send_text("o1", "a")
    fake_wechat.expire_tokens()
    await api.send_text("o1", "b")
    assert len(fake_wechat.calls("/cgi-bin/token")) == 2


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (45015, OutsideWindow),
        (43004, NotFollower),
        (45009, RateLimited),
        (45047, RateLimited),
        (500, Transient),
        (503, Transient),
        ("drop", Transient),
        (-1, Transient),
    ],
)
async def test_wechat_answers_become_typed_errors(live_services, fake_wechat, answer, error):
    api = MpApi.of(live_services)
    fake_wechat.script(KF, [answer])
    with pytest.raises(error):
        await api.send_text("o1", "hello")


async def test_template_user_info_and_menu(live_services, fake_wechat):
    api = MpApi.of(live_services)
    await api.send_template("o1", "tpl-1", {"first": {"value": "滤芯到期"}}, url="https://x")
    info = await api.user_info("o9")
    await api.create_menu({"button": [{"type": "click", "name": "报修", "key": "MENU_REPAIR"}]})
    [tpl] = fake_wechat.calls("/cgi-bin/message/template/send")
    assert tpl.json["template_id"] == "tpl-1" and tpl.json["touser"] == "o1"
    assert info["openid"] == "o9"
    assert fake_wechat.calls("/cgi-bin/menu/create")[0].json["button"][0]["name"] == "报修"


async def test_sandbox_mode_sends_nothing(services, fake_wechat):
    api = MpApi.of(services)
    api.base_url = fake_wechat.base_url
    answer = await api.send_text("o1", "hello")
    assert answer["sandbox"] is True
    assert fake_wechat.calls() == []


async def test_wecom_app_message_welcome_and_mass_message(live_services, fake_wechat):
    api = WorkApi.of(live_services)
    await api.send_text(["G001", "G002"], "今天有3位顾客滤芯到期")
    await api.send_welcome_msg("WC1", "欢迎！")
    await api.add_msg_template(["wmEXT1"], "天冷了，记得检查暖气", sender="G001")
    assert len(fake_wechat.calls("/cgi-bin/gettoken")) == 1
    [msg] = fake_wechat.calls("/cgi-bin/message/send")
    assert msg.json["touser"] == "G001|G002"
    assert msg.json["agentid"] == live_services.settings.work.agent_id
    assert (
        fake_wechat.calls("/cgi-bin/externalcontact/send_welcome_msg")[0].json["welcome_code"]
        == "WC1"
    )
    tpl = fake_wechat.calls("/cgi-bin/externalcontact/add_msg_template")[0].json
    assert tpl["external_userid"] == ["wmEXT1"] and tpl["sender"] == "G001"


async def test_group_robot_posts_to_the_webhook(live_services, fake_wechat):
    await RobotApi.of(live_services).send_markdown("KEY1", "**福利日**")
    [call] = fake_wechat.calls("/cgi-bin/webhook/send")
    assert call.query["key"] == "KEY1"
    assert call.json == {"msgtype": "markdown", "markdown": {"content": "**福利日**"}}


async def test_robot_limit_queues_the_21st_message_for_a_minute():
    t = [0.0]
    slept: list[float] = []

    async def sleep(s: float) -> None:
        slept.append(s)
        t[0] += s

    limiter = MinuteLimiter(20, now=lambda: t[0], sleep=sleep)
    for _ in range(20):
        await limiter.wait("K")
    assert slept == []
    await limiter.wait("K")
    assert slept == [60.0]
    await limiter.wait("OTHER")  # robots are limited one by one
    assert slept == [60.0]


async def test_wechatpy_calls_run_in_a_thread_and_refresh_a_refused_token(
    live_services, fake_wechat
):
    api = MpApi.of(live_services)
    await api.user_info("o1")
    fake_wechat.script("/cgi-bin/user/info", [40001])
    info = await api.user_info("o2")
    assert info["openid"] == "o2"
    assert len(fake_wechat.calls("/cgi-bin/token")) == 2
    fake_wechat.script("/cgi-bin/user/info", [45009])
    with pytest.raises(RateLimited):
        await api.user_info("o3")
