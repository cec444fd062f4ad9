"""CSV import: UTF-8 and GBK, upsert by phone / serial, every bad row reported, idempotent."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from bot.demo import seed_demo
from bot.importer import import_customers, import_devices
from storage.models import Customer, Device

CUSTOMERS = """手机,姓名,地址,生日,门店,导购
138 0013 8000,陈美华,上海市徐汇区宜山路100弄5号302室,1985-03-15,S001,G001
+86 139-0013-9001,林建国,上海市浦东新区锦绣路200号,1960/7/1,S002,
12345,坏号码,某地,,,
13900139002,日期错,上海市,1990-13-45,,
13900139003,门店错,上海市,,S999,
"""

DEVICES = """serial,phone,category,brand,model,purchase_date,warranty_months
SN-AC-1001,13800138000,空调,格力,KFR-35GW,2019-05-01,72
SN-WP-2002,13900139001,净水器,美的,MRO1891,2025-11-20,24
SN-XX-3003,13700000000,冰箱,海尔,BCD-470,2024-01-01,12
SN-XX-4004,13800138000,,海尔,BCD-470,2024-01-01,12
"""


async def _counts(services) -> tuple[int, int]:
    async with services.db.session() as s:
        return (
            await s.scalar(select(func.count(Customer.id))),
            await s.scalar(select(func.count(Device.id))),
        )


async def test_import_reports_bad_rows_loads_good_ones_and_is_idempotent(services, tmp_path: Path):
    await seed_demo(services)
    base_customers, base_devices = await _counts(services)
    cfile = tmp_path / "customers.csv"
    cfile.write_bytes(CUSTOMERS.encode("gbk"))  # as Excel exports on a Chinese Windows
    report = await import_customers(services.db, cfile)
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    assert [(row, col) for row, col, _ in report.rejected] == [
        (4, "phone"),
        (5, "birthday"),
        (6, "store"),
    ]
    dfile = tmp_path / "devices.csv"
    dfile.write_text(DEVICES, encoding="utf-8-sig")
    dreport = await import_devices(services.db, dfile)
    assert dreport.created == 2
    assert [(row, col) for row, col, _ in dreport.rejected] == [(4, "phone"), (5, "category")]
    after_first = await _counts(services)
    assert after_first == (base_customers + 2, base_devices + 2)

    again = await import_customers(services.db, cfile)
    dagain = await import_devices(services.db, dfile)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert (dagain.created, dagain.updated, dagain.unchanged) == (0, 0, 2)
    assert await _counts(services) == after_first

    async with services.db.session() as s:
        chen = await s.scalar(select(Customer).where(Customer.phone == "13800138000"))
        assert (
            chen.name == "陈美华"
            and str(chen.birthday) == "1985-03-15"
            and chen.guide_id is not None
        )
        lin = await s.scalar(select(Customer).where(Customer.phone == "13900139001"))
        assert str(lin.birthday) == "1960-07-01"


def test_import_cli_prints_each_rejected_row(tmp_path: Path, settings):
    cfile = tmp_path / "customers.csv"
    cfile.write_text(
        CUSTOMERS.replace(",S001,G001", ",,").replace(",S002,", ",,"), encoding="utf-8"
    )
    env = {"WXBOT_DATABASE__URL": settings.database.url, "PATH": "/usr/bin:/bin"}
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli", "import", "customers", str(cfile)],
        env=env,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert proc.returncode == 1, proc.stderr
    assert "row 4: phone: not a phone number: '12345'" in proc.stdout
    assert "row 5: birthday:" in proc.stdout
    assert "row 6: store: unknown store code 'S999'" in proc.stdout
    assert "5 rows: 2 created, 0 updated, 0 unchanged, 3 rejected" in proc.stdout


def test_large_import_shows_a_progress_bar(tmp_path: Path, settings):
    cfile = tmp_path / "many.csv"
    lines = ["phone,name,city"] + [f"1370000{i:04d},客户{i},上海" for i in range(600)]
    cfile.write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = {"WXBOT_DATABASE__URL": settings.database.url, "PATH": "/usr/bin:/bin"}
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli", "import", "customers", str(cfile)],
        env=env,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert proc.returncode == 0, proc.stderr
    assert "600/600" in proc.stderr and "import customers" in proc.stderr
    assert "600 rows: 600 created" in proc.stdout
