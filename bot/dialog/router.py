"""A router per feature module: each intent is declared once, next to its code, with
everything the rest of the system derives from it (bot/dialog/registry.py).

    router = Router("repair")
    router.form(REPAIR, label="报修", menu=(1, "报修"), shortcuts=("约师傅", "预约维修"))

    @router.responder("ticket_status", label="查进度", menu=(4, "查进度"), consequence="harmless")
    async def respond(turn: Turn) -> str: ...

A route says:

* ``name`` (the intent; a form's own ``Form.name``) and ``label`` (the Chinese word staff
  read in the admin and in WeCom);
* ``menu``: ``(line, words)`` on the numbered menu and the welcome text, or None;
* ``shortcuts`` (whole messages) and ``prefixes`` (short messages starting so) that mean it
  whatever the NLU says;
* ``classified``: the NLU learns it (from the corpus in bot/nlu/corpus/ and ``corpus``, a
  YAML file of ``examples`` next to the feature); False for intents reached by words only;
* ``consequence``: harmless (answers) · form (starts a conversation that ends in a ticket or
  an order) · state (changes the customer's state) · alert (tells people, hands over). The
  understanding's gate (bot/nlu/consequence.py, bot/dialog/policy.py) reads it;
* ``aside``: asked mid-form, it is answered and the form's question comes back (default:
  everything but an alert, which ends the form).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from bot.dialog.forms import Form, Turn

Consequence = Literal["harmless", "form", "state", "alert"]
Responder = Callable[["Turn"], Awaitable[Any]]
CONSEQUENCES: tuple[Consequence, ...] = ("harmless", "form", "state", "alert")


@dataclass(frozen=True)
class Route:
    """One intent and what the system derives from it."""

    name: str
    label: str
    target: Form | Responder
    consequence: Consequence
    menu: tuple[int, str] | None = None
    shortcuts: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()
    classified: bool = True
    corpus: Path | None = None
    aside: bool = True

    @property
    def is_form(self) -> bool:
        from bot.dialog.forms import Form

        return isinstance(self.target, Form)

    @property
    def grave(self) -> bool:
        """A state change or an alert: needs evidence in the message, or a question first."""
        return self.consequence in ("state", "alert")


@dataclass
class Router:
    """The intents of one feature module (``include_routers`` puts them in the registry)."""

    name: str
    routes: list[Route] = field(default_factory=list)
    mentions: list[tuple[int, str]] = field(default_factory=list)

    def form(
        self,
        form: Form,
        *,
        label: str,
        consequence: Consequence = "form",
        **options: Any,
    ) -> Form:
        """Route the intent ``form.name`` to this form."""
        self.routes.append(_route(form.name, label, form, consequence, options))
        return form

    def responder(
        self,
        name: str,
        *,
        label: str,
        consequence: Consequence,
        **options: Any,
    ) -> Callable[[Responder], Responder]:
        """Route the intent ``name`` to the decorated ``async (turn) -> str | Reply``."""

        def register(fn: Responder) -> Responder:
            self.routes.append(_route(name, label, fn, consequence, options))
            return fn

        return register

    def mention(self, line: int, words: str) -> None:
        """A menu entry that is not an intent of its own (「评价服务」: a rating is recognised
        wherever it is said)."""
        self.mentions.append((line, words))


def _route(
    name: str, label: str, target: Any, consequence: Consequence, options: dict[str, Any]
) -> Route:
    if consequence not in CONSEQUENCES:
        raise ValueError(f"intent {name}: consequence must be one of {CONSEQUENCES}")
    options.setdefault("aside", consequence != "alert")
    for key in ("shortcuts", "prefixes"):
        options[key] = tuple(options.get(key, ()))
    return Route(name=name, label=label, target=target, consequence=consequence, **options)
