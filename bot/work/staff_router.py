"""Staff commands declared next to their code, as intents are (bot/dialog/router.py).

    staff = StaffRouter("tasks")

    @staff.command("tasks", help="任务 —— 今天要做的事")
    async def list_tasks(services: Services, staff: Who) -> str: ...

A command's ``name`` is what the grammar (bot/work/commands.py) gives a staff line; its
arguments arrive as keywords. A command without arguments may instead declare ``words``, the
whole lines that name it (「排班」「今天谁值班」), and needs no grammar rule. The 帮助 text is built from the ``help`` lines in the order the
routers are included (handlers/staff_routers.py); ``admin`` lines are shown to group admins
only.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

Run = Callable[..., Awaitable[str]]  # async (services, staff, **args) -> reply text
ROUTERS_MODULE = "handlers.staff_routers"


@dataclass(frozen=True)
class StaffCommand:
    name: str
    run: Run
    help: str | None = None
    admin: bool = False
    words: tuple[str, ...] = ()  # whole lines that name it (no grammar rule needed)


@dataclass
class StaffRouter:
    name: str
    commands: list[StaffCommand] = field(default_factory=list)
    notes: list[tuple[str, bool]] = field(default_factory=list)

    def command(
        self,
        name: str,
        *,
        help: str | None = None,
        admin: bool = False,
        words: tuple[str, ...] = (),
    ) -> Callable[[Run], Run]:
        def register(fn: Run) -> Run:
            self.commands.append(StaffCommand(name, fn, help, admin, tuple(words)))
            return fn

        return register

    def note(self, line: str, admin: bool = False) -> None:
        """A help line that is not one command (「师傅：到达 R… / 完成 R…」)."""
        self.notes.append((line, admin))


_commands: dict[str, StaffCommand] = {}
_routers: list[StaffRouter] = []
_loaded = False


def include_staff_routers(*routers: StaffRouter) -> None:
    for router in routers:
        if router in _routers:
            continue
        for cmd in router.commands:
            if cmd.name in _commands:
                raise ValueError(f"staff command {cmd.name!r} is declared twice ({router.name})")
        _commands.update({cmd.name: cmd for cmd in router.commands})
        _routers.append(router)


def exclude_staff_routers(*routers: StaffRouter) -> None:
    for router in routers:
        if router in _routers:
            _routers.remove(router)
            for cmd in router.commands:
                _commands.pop(cmd.name, None)


def _ensure() -> None:
    global _loaded
    if not _loaded:
        importlib.import_module(ROUTERS_MODULE)
        _loaded = True


def command(name: str) -> StaffCommand | None:
    _ensure()
    return _commands.get(name)


def named_by(line: str) -> str | None:
    """The command a whole (cleaned) line names by its declared ``words``, or None."""
    _ensure()
    low = line.lower()
    for cmd in _commands.values():
        if low in cmd.words:
            return cmd.name
    return None


async def run(name: str, services: Any, staff: Any, args: dict[str, Any]) -> str:
    cmd = command(name)
    if cmd is None:
        raise LookupError(f"no staff command {name!r} is declared")
    return await cmd.run(services, staff, **args)


def help_text(admin: bool) -> str:
    """「可以这样跟我说：」 and one line per declared command (group admins see theirs too)."""
    _ensure()
    lines, admin_lines = [], []
    for router in _routers:
        entries = [(c.help, c.admin) for c in router.commands if c.help] + router.notes
        for line, for_admin in entries:
            (admin_lines if for_admin else lines).append(line)
    text = "可以这样跟我说：\n" + "\n".join(lines)
    if admin and admin_lines:
        text += "\n群管理员：" + "；".join(admin_lines)
    return text
