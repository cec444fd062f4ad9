"""开发票: the whole feature, one module (and its corpus next to it)."""

from __future__ import annotations

from pathlib import Path

from bot.dialog import Router
from bot.dialog.forms import Turn

router = Router("invoice")


@router.responder(
    "invoice",
    label="开发票",
    menu=(3, "开发票"),
    consequence="harmless",
    corpus=Path(__file__).with_name("invoice.yaml"),
)
async def respond(turn: Turn) -> str:
    return "电子发票会在服务完成后24小时内发到您的手机短信里～抬头需要改的话直接告诉我。"
