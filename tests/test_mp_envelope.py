"""The safe-mode envelope (bot/channels/mp_envelope.py) is wechatpy's, byte for byte in
what matters: wechatpy opens what it seals, it opens what wechatpy seals, and a message
for another account is refused."""

from __future__ import annotations

import pytest
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException

from bot.channels.mp_envelope import MpEnvelope
from bot.security import parse_xml

TOKEN, KEY, APP = "tok3n", "6PmTxj5qP1aZHSrJYswXuJSlql2obkXIEbgrViOmaEP", "wx0123456789abcdef"
REPLY = "<xml><ToUserName><![CDATA[o-1]]></ToUserName><Content><![CDATA[您好～]]></Content></xml>"


def test_a_sealed_reply_opens_with_wechatpy_and_its_signature_verifies():
    sealed = MpEnvelope(TOKEN, KEY, APP).seal(REPLY, "n0nce", "1764835200")
    fields = parse_xml(sealed)
    assert fields["TimeStamp"] == "1764835200" and fields["Nonce"] == "n0nce"
    opened = WeChatCrypto(TOKEN, KEY, APP).decrypt_message(
        sealed, fields["MsgSignature"], "1764835200", "n0nce"
    )  # wechatpy checks the signature first
    assert opened == REPLY


def test_two_seals_of_one_reply_differ_but_open_alike():
    envelope = MpEnvelope(TOKEN, KEY, APP)
    one = parse_xml(envelope.seal(REPLY, "n", "1"))["Encrypt"]
    two = parse_xml(envelope.seal(REPLY, "n", "1"))["Encrypt"]
    assert one != two  # a fresh random prefix each time
    assert envelope.open(one) == envelope.open(two) == REPLY


def test_it_opens_what_wechatpy_seals_and_refuses_another_accounts_message():
    theirs = WeChatCrypto(TOKEN, KEY, APP).encrypt_message(REPLY, "n", "1")
    assert MpEnvelope(TOKEN, KEY, APP).open(parse_xml(theirs)["Encrypt"]) == REPLY
    with pytest.raises(InvalidAppIdException):
        MpEnvelope(TOKEN, KEY, "wx-another-account").open(parse_xml(theirs)["Encrypt"])
