"""bot.security: signatures, the timestamp window, and the hardened XML parse."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot import security
from tests.conftest import NOW
from tests.fakes import wxmsg

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><MsgType>text</MsgType>
<Content>&lol9;</Content><CreateTime>1</CreateTime><MsgId>1</MsgId></xml>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><MsgType>text</MsgType>
<Content>&xxe;</Content><CreateTime>1</CreateTime><MsgId>1</MsgId></xml>"""

PLAIN_DTD = b"""<?xml version="1.0"?><!DOCTYPE xml SYSTEM "http://127.0.0.1:1/x.dtd">
<xml><MsgType>text</MsgType></xml>"""

PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY % p SYSTEM "http://127.0.0.1:1/p.dtd"> %p;]><xml/>"""


def test_signature_matches_wechats_algorithm():
    # sha1 of the sorted strings, WeChat's documented scheme
    sig = wxmsg.signature("sandboxtoken", "1409304348", "xxxxxx")
    assert security.signature_ok("sandboxtoken", sig, "1409304348", "xxxxxx")
    assert security.signature_ok("sandboxtoken", sig.upper(), "1409304348", "xxxxxx")
    assert not security.signature_ok("sandboxtoken", sig, "1409304348", "yyyyyy")
    assert not security.signature_ok("othertoken", sig, "1409304348", "xxxxxx")
    assert not security.signature_ok("sandboxtoken", None, "1409304348", "xxxxxx")
    assert not security.signature_ok("sandboxtoken", "", "1409304348", "xxxxxx")
    assert not security.signature_ok("sandboxtoken", "非ascii签名", "1409304348", "xxxxxx")


def test_msg_signature_covers_the_encrypted_body():
    sig = wxmsg.signature("t", "1", "n", "CIPHER")
    security.check_msg_signature("t", sig, "1", "n", "CIPHER")
    with pytest.raises(security.Rejected) as exc:
        security.check_msg_signature("t", sig, "1", "n", "CIPHER-tampered")
    assert exc.value.status == 403


def test_timestamp_window():
    ts = int(NOW.timestamp())
    security.check_timestamp(str(ts - 299), NOW, 300)
    security.check_timestamp(str(ts + 299), NOW, 300)
    for bad in (str(ts - 301), str(ts + 301), "", "abc", None):
        with pytest.raises(security.Rejected) as exc:
            security.check_timestamp(bad, NOW, 300)
        assert exc.value.status == 403
    # 0 turns the window off
    security.check_timestamp(str(int((NOW - timedelta(days=30)).timestamp())), NOW, 0)


def test_parse_xml_reads_a_wechat_message():
    body = wxmsg.text("o-1", "你好 <b>&amp; ]]> 再见", create_time=1, msg_id=7)
    data = security.parse_xml(body)
    assert data["Content"] == "你好 <b>&amp; ]]> 再见"
    assert data["MsgId"] == "7"
    assert data["FromUserName"] == "o-1"


def test_parse_xml_keeps_nested_elements():
    body = (
        "<xml><MsgType>event</MsgType><ScanCodeInfo><ScanType>qrcode</ScanType>"
        "<ScanResult>1</ScanResult></ScanCodeInfo></xml>"
    )
    assert security.parse_xml(body)["ScanCodeInfo"] == {"ScanType": "qrcode", "ScanResult": "1"}


@pytest.mark.parametrize(
    "body",
    [BILLION_LAUGHS, EXTERNAL_ENTITY, PLAIN_DTD, PARAMETER_ENTITY],
    ids=["billion-laughs", "external-entity", "dtd", "parameter-entity"],
)
def test_dtds_and_entities_are_refused_without_expansion(body):
    with pytest.raises(security.Rejected) as exc:
        security.parse_xml(body)
    assert exc.value.status == 400


def test_entity_refused_even_when_the_marker_hides_in_case():
    body = BILLION_LAUGHS.replace(b"<!DOCTYPE", b"<!dOcTyPe")
    with pytest.raises(security.Rejected):
        security.parse_xml(body)


@pytest.mark.parametrize(
    "body",
    [b"<xml><a>unclosed</xml>", b"not xml at all", b"", b"   ", b"<other/>", b"\xff\xfe<xml/>"],
)
def test_malformed_or_foreign_xml_is_refused(body):
    with pytest.raises(security.Rejected) as exc:
        security.parse_xml(body)
    assert exc.value.status == 400
