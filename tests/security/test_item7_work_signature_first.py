"""Issue 16, item 7: /wechat/work parsed the body before checking its signature.

A POST with a fresh timestamp and no signature was parsed as XML and, nested 1,000 deep,
logged an ERROR with a RecursionError traceback per request. Now ``msg_signature`` over
token + timestamp + nonce + Encrypt (found by a linear scan, no tree) is checked first.
"""

from __future__ import annotations

import logging

import pytest

from bot import security
from tests.fakes import wxmsg
from tests.security.kit import nothing_written
from tests.test_work_kit import TS, client_for, envelope, post, text

DEEP = ("<xml>" + "<a>" * 1000 + "x" + "</a>" * 1000 + "</xml>").encode()


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts XML parses (the channel calls security.parse_xml for every parse it does)."""
    calls: list[int] = []
    real = security.parse_xml

    def spy(body):
        calls.append(len(body))
        return real(body)

    monkeypatch.setattr(security, "parse_xml", spy)
    return calls


def _queries(services):
    """No signature at all, a wrong one, and a real callback's (which signs another body)."""
    fresh = {"timestamp": str(TS), "nonce": "1"}
    real, _ = envelope(services.settings, text("G001", "任务", corp=services.settings.work.corp_id))
    return [fresh, {**fresh, "msg_signature": "0" * 40}, real]


async def test_unsigned_1000_deep_body_is_403_unparsed_and_logs_no_error(services, parses, caplog):
    caplog.set_level(logging.INFO)
    async with client_for(services) as client:
        for query in _queries(services):
            for body in (DEEP, DEEP.replace(b"x", b"<Encrypt>QUJD</Encrypt>")):
                resp = await client.post("/wechat/work", params=query, data=body)
                assert resp.status == 403, query
    assert parses == []
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert "Traceback" not in caplog.text and "RecursionError" not in caplog.text
    assert await nothing_written(services)


async def test_a_signed_message_is_parsed_once_after_the_check(services, parses):
    settings = services.settings
    async with client_for(services) as client:
        status, reply = await post(
            client, settings, text("G999", "任务", corp=settings.work.corp_id)
        )
    assert status == 200 and "员工信息" in reply["Content"]
    assert len(parses) == 1  # the decrypted message only; the envelope is never parsed


def test_encrypt_is_found_by_a_scan_that_picks_the_one_that_verifies():
    token, ts, nonce = "t0k3n", "1", "n"
    real = "UmVhbENpcGhlcg=="
    sig = wxmsg.signature(token, ts, nonce, real)

    def verifies(enc: str) -> bool:
        return security.signature_ok(token, sig, ts, nonce, enc)

    # a customer's text holding a fake Encrypt in CDATA (compatible mode), then the real one
    body = (
        "<xml><Content><![CDATA[<Encrypt>RmFrZQ==</Encrypt>]]></Content>"
        f"<Encrypt><![CDATA[{real}]]></Encrypt></xml>"
    ).encode()
    assert security.find_encrypted(body, verifies) == real
    assert security.find_encrypted(f"<Encrypt>{real}</Encrypt>".encode(), verifies) == real
    for bad in (b"", b"<xml/>", b"<xml><Encrypt>&lol;</Encrypt></xml>", b"<Encrypt>QUJD"):
        with pytest.raises(security.Rejected) as exc:
            security.find_encrypted(bad, verifies)
        assert exc.value.status == 403
    many = b"<Encrypt>QUJD</Encrypt>" * 1000 + f"<Encrypt>{real}</Encrypt>".encode()
    with pytest.raises(security.Rejected):  # at most MAX_ENCRYPT_CANDIDATES are tried
        security.find_encrypted(many, verifies)
