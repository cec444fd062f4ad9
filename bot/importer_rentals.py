"""CSV import of rentable units (``wxbot import rentals FILE.csv``), like the other imports:
UTF-8 (with or without BOM) or GBK, upsert by unit code, every bad row reported with its row
number, column and reason while the good rows load; the same file twice changes nothing.

Columns: code, store (store code), category, brand, model, serial, grade (A/B/C), monthly_fee,
deposit, residual (yuan, as typed in Excel: 199 or 199.50).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.importer import ImportReport, RowError, RowUpsert, _load, _rows
from storage.db import Database
from storage.repos import rentals
from storage.repos import staff as staff_repo

RENTAL_COLUMNS = {
    "code": ("code", "编号", "机器编号", "资产编号"),
    "store": ("store", "门店", "门店编码"),
    "category": ("category", "品类", "类别"),
    "brand": ("brand", "品牌"),
    "model": ("model", "型号"),
    "serial": ("serial", "序列号", "机身码", "sn"),
    "grade": ("grade", "成色", "等级"),
    "monthly_fee": ("monthly_fee", "月租", "月租金"),
    "deposit": ("deposit", "押金"),
    "residual": ("residual", "残值", "买断价"),
}


def parse_fen(column: str, value: str, required: bool = False) -> int:
    """Yuan as typed ("199", "199.5", "¥1,299.00", "199元") → fen."""
    text = re.sub(r"[¥￥,，元\s]", "", value)
    if not text:
        if required:
            raise RowError(column, "required")
        return 0
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise RowError(column, f"not an amount in yuan: {value!r}") from None
    if amount < 0 or amount > 1_000_000 or amount != amount.quantize(Decimal("0.01")):
        raise RowError(column, f"not an amount in yuan: {value!r}")
    return int(amount * 100)


async def _rental_upsert(session: AsyncSession) -> RowUpsert:
    stores = {s.code: s.id for s in await staff_repo.all_stores(session)}

    async def upsert(session: AsyncSession, cells: dict[str, str]) -> str:
        code = cells["code"]
        if not re.fullmatch(r"[A-Za-z0-9\-_]{2,32}", code):
            raise RowError("code", f"not a unit code: {code!r}")
        if cells.get("store") not in stores:
            raise RowError("store", f"unknown store code {cells.get('store')!r}")
        if not cells.get("category"):
            raise RowError("category", "required")
        grade = (cells.get("grade") or "B").upper()
        if grade not in ("A", "B", "C"):
            raise RowError("grade", f"A, B or C, not {cells['grade']!r}")
        fee = parse_fen("monthly_fee", cells.get("monthly_fee", ""), required=True)
        if fee == 0:
            raise RowError("monthly_fee", "must be more than 0")
        fields: dict[str, Any] = {
            "store_id": stores[cells["store"]],
            "category": cells["category"],
            "brand": cells.get("brand") or None,
            "model": cells.get("model") or None,
            "serial": cells.get("serial") or None,
            "grade": grade,
            "monthly_fee_fen": fee,
            "deposit_fen": parse_fen("deposit", cells.get("deposit", "")),
            "residual_fen": parse_fen("residual", cells.get("residual", "")),
            "source": "import",
        }
        return await rentals.upsert_unit(session, code, fields)

    return upsert


async def import_rentals(
    db: Database, path: Path, progress: Callable[[int], None] | None = None
) -> ImportReport:
    rows, _ = _rows(path, RENTAL_COLUMNS, ["code", "store", "category", "monthly_fee"])
    return await _load(db, rows, _rental_upsert, progress)
