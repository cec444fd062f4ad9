"""Manual tags on one customer (guides in WeCom, operators in the admin): +name / -name.
Automatic tags are kept by their rules and refused here. WeCom is told through the sync."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.context import Services
from storage.repos import tags as tags_repo

MAX_LEN = 30


@dataclass
class Applied:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    held: list[tuple[str, str]] = field(default_factory=list)


async def apply(
    services: Services, customer_id: int, ops: list[tuple[str, str]], staff_id: int | None = None
) -> Applied:
    now = services.clock.now()
    out = Applied()
    async with services.db.transaction() as s:
        for op, raw in ops:
            name = raw.strip()
            if not name:
                continue
            if len(name) > MAX_LEN:
                out.notes.append(f"“{name[:8]}…”太长了，标签最多{MAX_LEN}个字")
                continue
            t = await tags_repo.by_name(s, name)
            if t is not None and t.kind == "auto":
                out.notes.append(f"“{name}”是自动标签，系统按资料自动维护，不用手动改")
                continue
            if op == "+":
                if t is None:
                    await tags_repo.ensure(s, [name], "manual")
                    t = await tags_repo.by_name(s, name)
                if await tags_repo.put_on(s, customer_id, t, staff_id, now):
                    out.added.append(name)
                else:
                    out.notes.append(f"已经有“{name}”了")
            elif t is not None and await tags_repo.take_off(s, customer_id, t, now):
                out.removed.append(name)
            else:
                out.notes.append(f"TA没有“{name}”这个标签")
        out.held = await tags_repo.for_customer(s, customer_id)
    if out.added or out.removed:
        from bot.scrm.tags import sync_changes

        await sync_changes(services)
    return out
