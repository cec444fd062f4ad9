"""Imports on PostgreSQL as on SQLite: a value longer than its column is that row's error,
named by row and column, and every other row is loaded (PostgreSQL used to abort all)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from bot.context import build_services
from bot.importer import import_customers, import_devices
from storage.models import Customer, Device
from tests.conftest import NOW, make_settings

LONG_NAME = "欧阳" + "长" * 40  # name is varchar(32)
CUSTOMERS = f"""手机,姓名,地址
13800138000,陈美华,上海市徐汇区宜山路100弄5号302室
13900139001,{LONG_NAME},上海市浦东新区锦绣路200号
13900139002,林建国,{"上海" * 120}
13900139003,王芳,上海市静安区
"""
DEVICES = f"""serial,phone,category,brand,location
SN-AC-1001,13800138000,空调,格力,客厅
SN-AC-1002,13800138000,空调,{"格" * 40},主卧
SN-AC-1003,13900139003,净水器,美的,厨房
"""


@pytest.mark.postgres
async def test_a_value_too_long_is_a_row_error_and_the_rest_loads_on_postgresql(
    pg_url, tmp_path: Path
):
    svc = build_services(make_settings(tmp_path / "unused.db", database={"url": pg_url}), now=NOW)
    try:
        cfile, dfile = tmp_path / "c.csv", tmp_path / "d.csv"
        cfile.write_text(CUSTOMERS, encoding="utf-8")
        dfile.write_text(DEVICES, encoding="utf-8")
        report = await import_customers(svc.db, cfile)
        assert report.created == 2
        assert [(row, col) for row, col, _ in report.rejected] == [(3, "name"), (4, "address")]
        assert "32" in report.rejected[0][2]
        dreport = await import_devices(svc.db, dfile)
        assert dreport.created == 2
        assert [(row, col) for row, col, _ in dreport.rejected] == [(3, "brand")]
        async with svc.db.session() as s:
            phones = set(await s.scalars(select(Customer.phone)))
            serials = set(await s.scalars(select(Device.serial)))
        assert phones == {"13800138000", "13900139003"}
        assert serials == {"SN-AC-1001", "SN-AC-1003"}
    finally:
        await svc.close()


@pytest.mark.postgres
async def test_a_row_the_database_refuses_is_reported_and_the_batch_still_loads(
    pg_url, tmp_path: Path, monkeypatch
):
    """Whatever the checks miss, PostgreSQL's refusal of one row does not sink its batch."""
    import bot.importer

    monkeypatch.setattr(bot.importer, "too_long", lambda _model, _fields: None)
    svc = build_services(make_settings(tmp_path / "unused.db", database={"url": pg_url}), now=NOW)
    try:
        cfile = tmp_path / "c.csv"
        cfile.write_text(CUSTOMERS, encoding="utf-8")
        report = await import_customers(svc.db, cfile)
        assert report.created == 2
        assert [row for row, _, _ in report.rejected] == [3, 4]
        assert all("refused by the database" in reason for _, _, reason in report.rejected)
    finally:
        await svc.close()
