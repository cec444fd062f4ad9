"""Issue 16, item 1: forged messages from one logged URL.

In plain mode ``signature`` covers token + timestamp + nonce only, and WeChat puts it on
safe-mode URLs too: whoever reads one URL could post any plaintext as any openid for 300 s.
The account's ``mp.message_mode`` now decides what counts: safe and compatible take only
the encrypted part (``msg_signature`` over it), a body without it is a 403 and nothing is
written. Messages are built as WeChat builds them (wechatpy's crypto, tests/fakes/wxmsg.py).
"""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.config import ConfigError
from tests.conftest import make_settings
from tests.fakes import wxmsg
from tests.fakes.mp import TS, mp_app, mp_sender
from tests.security.kit import nothing_written, rows
from tests.test_work_kit import client_for, envelope
from tests.test_work_kit import text as work_text


def _services(db_path, **mp):
    from bot.context import build_services
    from tests.conftest import NOW

    settings = make_settings(db_path, mp=mp) if mp else make_settings(db_path)
    return build_services(settings, now=NOW)


@pytest.fixture
async def safe(db_path):
    services = _services(db_path)  # the shipped config: an AES key, so safe by default
    assert services.settings.mp.encoding_aes_key  # no message_mode set: safe
    async with TestClient(TestServer(mp_app(services))) as client:
        yield client, services
    await services.close()


@pytest.fixture
async def compatible(db_path):
    services = _services(db_path, message_mode="compatible")
    async with TestClient(TestServer(mp_app(services))) as client:
        yield client, services
    await services.close()


def _forged(services, openid: str, content: str, **extra: str):
    """What an attacker holding one logged safe-mode URL can send: a plaintext body under
    that URL's valid ``signature`` / ``timestamp`` / ``nonce``."""
    body = wxmsg.text(openid, content)
    query = wxmsg.signed_query(services.settings.mp.token, TS, "1320562132", **extra)
    return query, body.encode("utf-8")


@pytest.mark.parametrize("extra", [{}, {"encrypt_type": "raw"}], ids=["no-type", "raw"])
async def test_safe_mode_refuses_forged_plaintext_with_a_valid_url_signature(safe, dialog, extra):
    client, services = safe
    query, body = _forged(services, "o-victim", "退订", **extra)
    resp = await client.post("/wechat/mp", params=query, data=body)
    assert resp.status == 403
    assert dialog.seen == []
    assert await nothing_written(services)


async def test_safe_mode_refuses_plaintext_under_a_logged_encrypted_url(safe, dialog):
    """The logged URL of a real safe-mode message (encrypt_type=aes, msg_signature) with a
    plaintext body of the attacker's own: no Encrypt that verifies, 403, nothing written."""
    client, services = safe
    (query, _), _ = mp_sender(client, services, "safe").build(wxmsg.text("o-real", "你好"))
    body = wxmsg.text("o-victim", "转人工").encode("utf-8")
    resp = await client.post("/wechat/mp", params=query, data=body)
    assert resp.status == 403
    assert dialog.seen == []
    assert await nothing_written(services)


async def test_safe_mode_still_answers_wechats_encrypted_messages(safe, dialog):
    client, services = safe
    status, reply = await mp_sender(client, services, "safe").post(wxmsg.text("o-1", "你好"))
    assert (status, reply["Content"]) == (200, "收到～")
    assert [(i.user_id, i.text) for i in dialog.seen] == [("o-1", "你好")]


async def test_compatible_mode_reads_the_encrypted_part_not_the_plaintext_beside_it(
    compatible, dialog
):
    """A real compatible-mode message, its plaintext fields rewritten (another openid,
    another text) and ``encrypt_type`` dropped from the URL: the encrypted part counts."""
    client, services = compatible
    sender = mp_sender(client, services, "compatible")
    (query, body), _ = sender.build(wxmsg.text("o-real", "你好", msg_id=11))
    query = {k: v for k, v in query.items() if k != "encrypt_type"}
    body = body.replace(wxmsg.cdata("o-real"), wxmsg.cdata("o-victim"), 1)
    body = body.replace(wxmsg.cdata("你好"), wxmsg.cdata("退订"), 1)
    assert "o-victim" in body and "退订" in body
    resp = await client.post("/wechat/mp", params=query, data=body.encode("utf-8"))
    assert resp.status == 200
    assert [(i.user_id, i.text) for i in dialog.seen] == [("o-real", "你好")]
    assert (await rows(services))["customers"] == 1


async def test_compatible_mode_refuses_a_body_without_its_encrypted_part(compatible, dialog):
    client, services = compatible
    query, body = _forged(services, "o-victim", "退订")
    resp = await client.post("/wechat/mp", params=query, data=body)
    assert resp.status == 403
    assert await nothing_written(services)


async def test_plain_mode_works_as_before(db_path, dialog):
    services = _services(db_path, message_mode="plain")
    try:
        async with TestClient(TestServer(mp_app(services))) as client:
            status, reply = await mp_sender(client, services, "plain").post(
                wxmsg.text("o-1", "你好")
            )
        assert (status, reply["Content"]) == (200, "收到～")
    finally:
        await services.close()


def test_safe_or_compatible_mode_without_a_key_is_a_config_error(db_path):
    for mode in ("safe", "compatible"):
        with pytest.raises(ConfigError) as exc:
            make_settings(db_path, mp={"message_mode": mode, "encoding_aes_key": None})
        assert "needs mp.encoding_aes_key" in exc.value.problems[0]
    with pytest.raises(ConfigError) as exc:
        make_settings(db_path, work={"message_mode": "plain"})
    assert exc.value.problems[0].startswith("work.message_mode")


async def test_wecom_refuses_a_body_without_encrypt(services, dialog):
    """WeCom is always encrypted: a plaintext body under a real callback's URL is a 403."""
    settings = services.settings
    query, _ = envelope(settings, work_text("G001", "任务", corp=settings.work.corp_id))
    forged = work_text("G001", "客户 13800000000", corp=settings.work.corp_id)
    async with client_for(services) as client:
        resp = await client.post("/wechat/work", params=query, data=forged.encode("utf-8"))
    assert resp.status == 403
    assert await nothing_written(services)
