"""退订 / TD switches care messages off (all, or one kind); 订阅 switches them back on."""

from __future__ import annotations

from bot.dialog.forms import Turn
from bot.dialog.router import Router
from bot.dialog.words import wants_back_on
from storage.repos import optouts

KINDS = {"festival": "节日祝福", "reminder": "提醒（滤芯、保养等）"}


def which_kind(text: str) -> str:
    if "节日" in text or "节气" in text or "祝福" in text:
        return "festival"
    if "提醒" in text or "滤芯" in text or "保养" in text:
        return "reminder"
    return "all"


async def unsubscribe(turn: Turn) -> str:
    if wants_back_on(turn.text):
        return await subscribe(turn)
    kind = which_kind(turn.text)
    await optouts.add(turn.db, turn.person.id, kind, turn.now)
    if kind == "all":
        return (
            "好的，已为您关闭所有关怀消息（节日祝福、提醒）。报修、进度等服务消息不受影响。\n"
            "想恢复的话回复“订阅”就行～"
        )
    return f"好的，已为您关闭{KINDS[kind]}消息，其他消息照常。想恢复回复“订阅”就行～"


async def subscribe(turn: Turn) -> str:
    kind = which_kind(turn.text)
    had = await optouts.kinds(turn.db, turn.person.id)
    if kind == "all":
        await optouts.remove(turn.db, turn.person.id)
        if not had:
            return "您的关怀消息一直是开着的哦～"
        return "好的，已为您恢复所有关怀消息（节日祝福、提醒）😊 不想收时回复“退订”即可。"
    removed = await optouts.remove(turn.db, turn.person.id, kind)
    if "all" in had:
        await optouts.remove(turn.db, turn.person.id, "all")
        for other in KINDS:
            if other != kind:
                await optouts.add(turn.db, turn.person.id, other, turn.now)
        removed = 1
    if not removed:
        return f"{KINDS[kind]}消息一直是开着的哦～"
    return f"好的，已为您恢复{KINDS[kind]}消息😊"


router = Router("subscription")
router.responder(
    "unsubscribe", label="退订", consequence="state", shortcuts=("td", "退订"), prefixes=("退订",)
)(unsubscribe)
router.responder(
    "subscribe",
    label="恢复订阅",
    consequence="state",
    classified=False,
    shortcuts=("订阅", "恢复订阅", "重新订阅"),
    prefixes=("恢复订阅", "重新订阅", "订阅"),
)(subscribe)
