"""CSV import of customers and devices, as exported from Excel (UTF-8 with or without BOM, or GBK).

Upserts by phone (customers) / serial (devices); every rejected row is reported with its row
number, column and reason while the good rows still load; importing the same file twice
changes nothing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.lengths import too_long
from storage.models import Customer, Device
from storage.repos import customers as customer_repo
from storage.repos import devices as device_repo
from storage.repos import staff as staff_repo

BATCH = 500

# Column aliases: what Excel sheets in the field call them → our field names.
CUSTOMER_COLUMNS = {
    "phone": ("phone", "手机", "手机号", "电话", "联系电话", "mobile"),
    "name": ("name", "姓名", "客户姓名", "客户"),
    "address": ("address", "地址", "详细地址", "住址"),
    "city": ("city", "城市"),
    "birthday": ("birthday", "生日", "出生日期"),
    "baby_birthday": ("baby_birthday", "宝宝生日", "宝宝出生日期"),
    "home_since": ("home_since", "入住日期", "乔迁日期"),
    "store": ("store", "门店", "门店编码"),
    "guide": ("guide", "导购", "导购账号"),
}
DEVICE_COLUMNS = {
    "serial": ("serial", "序列号", "机身码", "sn"),
    "phone": ("phone", "手机", "手机号", "电话", "客户手机"),
    "category": ("category", "品类", "类别"),
    "brand": ("brand", "品牌"),
    "model": ("model", "型号"),
    "purchase_date": ("purchase_date", "购买日期", "购机日期"),
    "install_date": ("install_date", "安装日期"),
    "warranty_months": ("warranty_months", "保修月数", "保修期"),
    "location": ("location", "位置", "安装位置"),
}


class RowError(ValueError):
    def __init__(self, column: str, reason: str):
        super().__init__(reason)
        self.column = column
        self.reason = reason


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str, str]] = field(default_factory=list)  # (row, column, reason)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + len(self.rejected)

    def summary(self) -> str:
        return (
            f"{self.total} rows: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {len(self.rejected)} rejected"
        )


def read_text(path: Path) -> str:
    raw = path.read_bytes()
    if raw.startswith(b"PK\x03\x04") or b"\x00" in raw[:4096]:
        raise ValueError(
            f"{path}: not a CSV text file (an Excel .xlsx? save it as “CSV UTF-8” first)"
        )
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError(f"{path}: neither UTF-8 nor GBK")


def normalize_phone(value: str) -> str:
    digits = re.sub(r"[\s\-()（）]", "", value)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if re.fullmatch(r"1[3-9]\d{9}", digits):
        return digits
    if re.fullmatch(r"0\d{9,11}", digits):  # landline with area code
        return digits
    raise RowError("phone", f"not a phone number: {value!r}")


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


def parse_date(column: str, value: str) -> date:
    text = value.strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise RowError(column, f"not a date (use 2024-03-15): {value!r}")


def _map_header(header: list[str], columns: dict[str, tuple[str, ...]]) -> dict[str, int]:
    index: dict[str, int] = {}
    lowered = [h.strip().lower() for h in header]
    for name, aliases in columns.items():
        for alias in aliases:
            if alias.lower() in lowered:
                index[name] = lowered.index(alias.lower())
                break
    return index


def _rows(
    path: Path, columns: dict[str, tuple[str, ...]], required: Iterable[str]
) -> tuple[list, dict]:
    reader = csv.reader(io.StringIO(read_text(path)))
    try:
        header = next(reader)
    except StopIteration:
        raise ValueError(f"{path}: empty file") from None
    index = _map_header(header, columns)
    missing = [c for c in required if c not in index]
    if missing:
        raise ValueError(f"{path}: missing column(s): {', '.join(missing)}")
    rows = []
    for number, row in enumerate(reader, start=2):  # row 1 is the header, as Excel counts
        if not any(cell.strip() for cell in row):
            continue
        rows.append(
            (number, {k: (row[i].strip() if i < len(row) else "") for k, i in index.items()})
        )
    if not rows:
        raise ValueError(f"{path}: no data rows, only the header")
    return rows, index


RowUpsert = Callable[[AsyncSession, dict[str, str]], Awaitable[str]]


async def _load(
    db: Database,
    rows: list[tuple[int, dict[str, str]]],
    make_upsert: Callable[[AsyncSession], Awaitable[RowUpsert]],
    progress: Callable[[int], None] | None,
) -> ImportReport:
    """Upsert each row in batches of ``BATCH`` (a commit each); a bad row is reported, not
    fatal. When the database refuses a batch (PostgreSQL aborts the whole transaction), the
    batch is written again row by row, each in a savepoint, so only the bad row is refused."""
    report = ImportReport()
    async with db.session() as session:
        upsert = await make_upsert(session)
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            try:
                outcomes = [await _one(session, upsert, n, cells, progress) for n, cells in chunk]
                await session.commit()
            except DBAPIError:
                await session.rollback()
                outcomes = [await _one_safely(session, upsert, n, cells) for n, cells in chunk]
                await session.commit()
            for outcome in outcomes:
                if isinstance(outcome, str):
                    setattr(report, outcome, getattr(report, outcome) + 1)
                else:
                    report.rejected.append(outcome)
    return report


async def _one(
    session: AsyncSession,
    upsert: RowUpsert,
    number: int,
    cells: dict[str, str],
    progress: Callable[[int], None] | None,
) -> str | tuple[int, str, str]:
    try:
        return await upsert(session, cells)
    except RowError as err:
        return (number, err.column, err.reason)
    finally:
        if progress:
            progress(1)


async def _one_safely(
    session: AsyncSession, upsert: RowUpsert, number: int, cells: dict[str, str]
) -> str | tuple[int, str, str]:
    try:
        async with session.begin_nested():
            return await upsert(session, cells)
    except RowError as err:
        return (number, err.column, err.reason)
    except DBAPIError as exc:
        reason = str(exc.orig).splitlines()[0] if exc.orig else type(exc).__name__
        return (number, "?", f"refused by the database: {reason}"[:200])


def _fit(model: Any, fields: dict[str, Any]) -> None:
    """A value longer than its column is the row's error, named by its column."""
    bad = too_long(model, fields)
    if bad is not None:
        name, limit = bad
        raise RowError(name, f"longer than {limit} characters")


async def _customer_upsert(session: AsyncSession) -> RowUpsert:
    stores = {s.code: s.id for s in await staff_repo.all_stores(session)}
    guides = {g.wecom_userid: (g.id, g.store_id) for g in await staff_repo.all_staff(session)}

    async def upsert(session: AsyncSession, cells: dict[str, str]) -> str:
        phone = normalize_phone(cells["phone"])
        fields: dict[str, Any] = {
            "name": cells.get("name") or None,
            "address": cells.get("address") or None,
            "city": cells.get("city") or None,
        }
        for col in ("birthday", "baby_birthday", "home_since"):
            if cells.get(col):
                fields[col] = parse_date(col, cells[col])
        if cells.get("store"):
            if cells["store"] not in stores:
                raise RowError("store", f"unknown store code {cells['store']!r}")
            fields["store_id"] = stores[cells["store"]]
        if cells.get("guide"):
            if cells["guide"] not in guides:
                raise RowError("guide", f"unknown guide {cells['guide']!r}")
            fields["guide_id"], store_id = guides[cells["guide"]]
            fields.setdefault("store_id", store_id)
        _fit(Customer, {"phone": phone, **fields})
        return await customer_repo.upsert_by_phone(session, phone, fields)

    return upsert


async def _device_upsert(session: AsyncSession) -> RowUpsert:
    async def upsert(session: AsyncSession, cells: dict[str, str]) -> str:
        serial = cells["serial"]
        if not re.fullmatch(r"[A-Za-z0-9\-_/]{4,64}", serial):
            raise RowError("serial", f"not a serial number: {serial!r}")
        phone = normalize_phone(cells["phone"])
        customer = await customer_repo.by_phone(session, phone)
        if customer is None:
            raise RowError("phone", "no customer with this phone (import customers first)")
        if not cells.get("category"):
            raise RowError("category", "required")
        fields: dict[str, Any] = {
            "customer_id": customer.id,
            "category": cells["category"],
            "brand": cells.get("brand") or None,
            "model": cells.get("model") or None,
            "location": cells.get("location") or None,
        }
        for col in ("purchase_date", "install_date"):
            if cells.get(col):
                fields[col] = parse_date(col, cells[col])
        if cells.get("warranty_months"):
            months = cells["warranty_months"].rstrip("个月").strip()
            if not months.isdigit() or not 0 < int(months) <= 240:
                raise RowError(
                    "warranty_months",
                    f"not a number of months: {cells['warranty_months']!r}",
                )
            fields["warranty_months"] = int(months)
        _fit(Device, fields)
        return await device_repo.upsert_by_serial(session, serial, fields)

    return upsert


async def import_customers(
    db: Database, path: Path, progress: Callable[[int], None] | None = None
) -> ImportReport:
    rows, _ = _rows(path, CUSTOMER_COLUMNS, ["phone"])
    return await _load(db, rows, _customer_upsert, progress)


async def import_devices(
    db: Database, path: Path, progress: Callable[[int], None] | None = None
) -> ImportReport:
    rows, _ = _rows(path, DEVICE_COLUMNS, ["serial", "phone", "category"])
    return await _load(db, rows, _device_upsert, progress)


def count_rows(path: Path) -> int:
    return max(0, sum(1 for line in read_text(path).splitlines() if line.strip()) - 1)
