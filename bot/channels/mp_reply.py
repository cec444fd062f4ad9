"""The passive text reply's XML, as wechatpy's ``TextReply.render`` writes it, made with one
format instead of wechatpy's field objects (every answered message renders one).

Unlike wechatpy's, a ``]]>`` in the text (a customer's own words quoted back) cannot end
the CDATA section early: it is split across two sections, as XML requires, so WeChat still
reads the whole reply. Image and transfer-to-agent replies stay wechatpy's (bot/channels/mp.py).
"""

from __future__ import annotations

_TEXT = (
    "<xml>\n<MsgType><![CDATA[text]]></MsgType>\n"
    "<Content><![CDATA[{content}]]></Content>\n"
    "<FromUserName><![CDATA[{source}]]></FromUserName>\n"
    "<ToUserName><![CDATA[{target}]]></ToUserName>\n"
    "<CreateTime>{time}</CreateTime>\n</xml>"
)


def cdata(value: str) -> str:
    """``value`` safe inside ``<![CDATA[…]]>``."""
    return value.replace("]]>", "]]]]><![CDATA[>") if "]]>" in value else value


def text_reply(source: str, target: str, time: int, content: str) -> str:
    """The reply XML from the account ``source`` to the person ``target``."""
    return _TEXT.format(
        source=cdata(source), target=cdata(target), time=int(time), content=cdata(content)
    )
