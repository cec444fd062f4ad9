"""The passive text reply (bot/channels/mp_reply.py): what wechatpy would write, and whole
even when the text holds ``]]>``."""

from __future__ import annotations

import pytest
from wechatpy import parse_message
from wechatpy.replies import TextReply

from bot.channels.mp_reply import text_reply


def test_an_ordinary_reply_is_wechatpys_byte_for_byte():
    text = "您好！我是售后小助手😊\n1. 报修、安装 <请选> & 谢谢"
    ours = text_reply("gh_123", "o-abc", 1733300000, text)
    theirs = TextReply(source="gh_123", target="o-abc", time=1733300000, content=text).render()
    assert ours == theirs


@pytest.mark.parametrize("text", ["您说的是“]]>”吗？", "]]>", "a]]>b]]>c", "]]]]>>"])
def test_a_reply_quoting_a_cdata_end_still_reads_whole(text):
    msg = parse_message(text_reply("gh_123", "o-abc", 1733300000, text))
    assert msg.type == "text"
    assert msg.content == text
    assert (msg.source, msg.target) == ("gh_123", "o-abc")
