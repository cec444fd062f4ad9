"""Greeting, thanks, not understood, and messages that are not text."""

from __future__ import annotations

from bot.dialog import registry
from bot.dialog.forms import Turn
from bot.dialog.router import Router


async def greeting(turn: Turn) -> str:
    name = turn.person.name
    hello = f"{name}您好！" if name else "您好！"
    return f"{hello}我是售后小助手😊\n{registry.menu()}"


async def thanks(turn: Turn) -> str:
    return "不客气～能帮上忙就好，有需要随时找我😊"


async def unknown(turn: Turn) -> str:
    return f"不好意思，这句我没太明白～\n{registry.menu()}"


_NON_TEXT = {
    "image": "图片收到啦～如果是需要报修的设备，直接告诉我哪里不好用就行。",
    "voice": "语音没听清～方便打字告诉我吗？",
    "video": "视频收到啦～方便用文字说一下遇到的问题吗？",
    "shortvideo": "视频收到啦～方便用文字说一下遇到的问题吗？",
    "location": "位置收到啦～需要上门服务的话，告诉我是报修、安装还是清洗就好。",
    "link": "链接收到啦～我暂时打不开链接，方便用文字说一下需要什么吗？",
    "file": "文件收到啦～我暂时看不了文件，方便用文字说一下需要什么吗？",
}


async def non_text(turn: Turn) -> str:
    return _NON_TEXT.get(turn.inbound.kind, "收到～方便用文字告诉我需要什么吗？")


router = Router("smalltalk")
router.responder("greeting", label="问候", consequence="harmless", shortcuts=("菜单", "帮助"))(
    greeting
)
router.responder("thanks", label="感谢", consequence="harmless")(thanks)
router.responder("unknown", label="未识别", consequence="harmless")(unknown)
router.responder("non_text", label="非文字消息", consequence="harmless", classified=False)(non_text)
