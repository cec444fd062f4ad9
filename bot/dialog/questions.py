"""Everyday questions (上门费多少, 几点下班, 你是机器人吗) as the dialog asks them: whether a
message is one, and its short answer. The service's answers come from handlers/faq.py,
set where the routers are included (handlers/routers.py: ``answer_with(faq)``); the
dialog itself imports no handler."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from bot.dialog.forms import Turn


class Questions(Protocol):
    def asks(self, turn: Turn) -> bool: ...

    def asks_contact(self, turn: Turn) -> bool: ...

    def is_chat(self, turn: Turn) -> bool: ...

    async def answer(self, turn: Turn) -> str | None: ...


class _NoAnswers:
    def asks(self, turn: Turn) -> bool:
        return False

    def asks_contact(self, turn: Turn) -> bool:
        return False

    def is_chat(self, turn: Turn) -> bool:
        return False

    async def answer(self, turn: Turn) -> str | None:
        return None


_answers: Questions = _NoAnswers()


def answer_with(provider: Questions) -> None:
    global _answers
    _answers = provider


def answers() -> Questions:
    from bot.dialog import registry

    registry.routes()  # the routers module sets the service's answers
    return _answers
