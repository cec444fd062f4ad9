"""The custom menu: settings.mp.menu as WeChat's menu JSON, and CLICK keys back to their buttons."""

from __future__ import annotations

from typing import Any

from bot.config import MenuButton, Settings

MAX_TOP, MAX_SUB = 3, 5


class MenuError(ValueError):
    """A menu WeChat would refuse (too many buttons, a button with neither key nor url…)."""


def _walk(buttons: list[MenuButton]):
    for b in buttons:
        yield b
        yield from _walk(b.sub)


def button_for_key(settings: Settings, key: str | None) -> MenuButton | None:
    """The CLICK button with this EventKey."""
    if not key:
        return None
    for b in _walk(settings.mp.menu):
        if b.key == key:
            return b
    return None


def _button_json(b: MenuButton) -> dict[str, Any]:
    if b.sub:
        if len(b.sub) > MAX_SUB:
            raise MenuError(f"{b.name}: at most {MAX_SUB} sub-buttons")
        return {"name": b.name, "sub_button": [_button_json(s) for s in b.sub]}
    if b.url:
        return {"type": "view", "name": b.name, "url": b.url}
    if b.key:
        return {"type": "click", "name": b.name, "key": b.key}
    raise MenuError(f"{b.name}: needs a key (click) or a url (view)")


def menu_json(settings: Settings) -> dict[str, Any]:
    """WeChat's menu/create body for settings.mp.menu."""
    buttons = settings.mp.menu
    if not buttons:
        raise MenuError("mp.menu is empty")
    if len(buttons) > MAX_TOP:
        raise MenuError(f"at most {MAX_TOP} top-level buttons")
    return {"button": [_button_json(b) for b in buttons]}
