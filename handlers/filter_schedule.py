"""Water-purifier filter stages: which are due, what they cost, and recording a replacement.

A stage is due when its last replacement (or, never replaced, the install / purchase date)
plus its life is on or before today + ``catalog.filter_due_ahead_days``. Life and price come
from the catalog (the device's own ``consumable_stages.life_days`` wins when recorded).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.catalog import Catalog, Purifier
from handlers.money import yuan
from storage.models import ConsumableStage, Device
from storage.repos import devices


@dataclass(frozen=True)
class StageDue:
    key: str
    name: str
    price_fen: int | None  # None when the stage is not in the catalog
    life_days: int
    last_replaced_on: date | None  # None: never recorded and no install date known
    due_on: date | None
    days_left: int | None  # negative: overdue by that many days
    due: bool

    def line(self) -> str:
        """ "PP棉滤芯 ¥69.00（已超期12天）" — what the customer reads."""
        price = f" {yuan(self.price_fen)}" if self.price_fen is not None else ""
        if self.days_left is None:
            when = "未记录更换时间"
        elif self.days_left < 0:
            when = f"已超期{-self.days_left}天"
        elif self.days_left == 0:
            when = "今天到期"
        else:
            when = f"{self.days_left}天后到期"
        return f"{self.name}{price}（{when}）"


def schedule(
    purifier: Purifier | None,
    recorded: Iterable[ConsumableStage],
    since: date | None,
    today: date,
    ahead_days: int = 15,
) -> list[StageDue]:
    """Every stage of the purifier, catalog order first, then stages only the device records."""
    rows = {r.stage: r for r in recorded}
    out: list[StageDue] = []
    keys = [s.key for s in purifier.stages] if purifier else []
    keys += [k for k in rows if k not in keys]
    for key in keys:
        cat = purifier.stage(key) if purifier else None
        row = rows.get(key)
        life = row.life_days if row else cat.life_days  # type: ignore[union-attr]
        last = row.last_replaced_on if row else since
        due_on = last + timedelta(days=life) if last else None
        days_left = (due_on - today).days if due_on else None
        out.append(
            StageDue(
                key=key,
                name=cat.name if cat else row.name,  # type: ignore[union-attr]
                price_fen=cat.price_fen if cat else None,
                life_days=life,
                last_replaced_on=last,
                due_on=due_on,
                days_left=days_left,
                due=days_left is None or days_left <= ahead_days,
            )
        )
    return out


def device_schedule(catalog: Catalog, device: Device, today: date) -> list[StageDue]:
    """:func:`schedule` for a registered purifier (its stages must be loaded)."""
    return schedule(
        catalog.purifier(device.model),
        device.stages,
        device.install_date or device.purchase_date,
        today,
        catalog.filter_due_ahead_days,
    )


def due(stages: Iterable[StageDue]) -> list[StageDue]:
    return [s for s in stages if s.due]


def total_fen(stages: Iterable[StageDue], qty: int = 1) -> int:
    return sum((s.price_fen or 0) for s in stages) * qty


def next_due(stages: Iterable[StageDue]) -> StageDue | None:
    """The stage due soonest (for "next replacement" lines)."""
    dated = [s for s in stages if s.due_on is not None]
    return min(dated, key=lambda s: s.due_on, default=None)  # type: ignore[arg-type, return-value]


async def record_replacement(
    session: AsyncSession,
    catalog: Catalog,
    device: Device,
    stage_keys: Iterable[str],
    on: date,
) -> list[ConsumableStage]:
    """Mark these stages replaced on ``on``: their next due date moves by their life."""
    purifier = catalog.purifier(device.model)
    known = {r.stage: r for r in device.stages}
    rows = []
    for key in stage_keys:
        cat = purifier.stage(key) if purifier else None
        row = known.get(key)
        if cat is None and row is None:
            raise ValueError(f"unknown filter stage {key!r} for {device.model}")
        name = cat.name if cat else row.name  # type: ignore[union-attr]
        life = row.life_days if row else cat.life_days  # type: ignore[union-attr]
        rows.append(await devices.set_stage_replaced(session, device.id, key, name, life, on))
    return rows
