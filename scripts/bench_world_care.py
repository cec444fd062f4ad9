"""A synthetic world for scripts/bench_care.py, generated in SQL (no Python loop per row).

N customers, 2N devices (1 in 8 a water purifier with 3 filter stages), some supplies,
tickets, opt-outs; spread so every care rule finds work on most days."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

TABLES = (
    "outbox",
    "guide_tasks",
    "ratings",
    "service_tickets",
    "opt_outs",
    "supplies",
    "consumable_stages",
    "devices",
    "channel_identities",
    "customers",
    "staff",
    "stores",
    "kv",
)


class _Dialect:
    def __init__(self, pg: bool) -> None:
        self.pg = pg
        self.now = "(now() at time zone 'utc')" if pg else "CURRENT_TIMESTAMP"
        self.true = "true" if pg else "1"
        self.false = "false" if pg else "0"

    def series(self, n: int) -> str:
        if self.pg:
            return f"generate_series(1, {n}) AS s(x)"
        return (
            f"(WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r WHERE x < {n}) "
            "SELECT x FROM r) AS s"
        )

    def day(self, base: str, offset: str) -> str:
        if self.pg:
            return f"(DATE '{base}' + ({offset})::int)"
        return f"date('{base}', '+' || ({offset}) || ' days')"

    def ts(self, base: str, offset_min: str) -> str:
        if self.pg:
            return f"(TIMESTAMP '{base}' + (({offset_min})::int * interval '1 minute'))"
        return f"datetime('{base}', '+' || ({offset_min}) || ' minutes')"


def statements(n: int, pg: bool) -> list[tuple[str, str]]:
    """(label, SQL) in order."""
    d = _Dialect(pg)
    cats = "ARRAY['空调','冰箱','洗衣机','电视','热水器','油烟机','燃气灶','净水器']"
    if pg:
        cat = f"({cats})[(x % 8) + 1]"
    else:
        cat = (
            "CASE x % 8 WHEN 0 THEN '空调' WHEN 1 THEN '冰箱' WHEN 2 THEN '洗衣机' "
            "WHEN 3 THEN '电视' WHEN 4 THEN '热水器' WHEN 5 THEN '油烟机' "
            "WHEN 6 THEN '燃气灶' ELSE '净水器' END"
        )
    return [
        ("stores", "INSERT INTO stores (id, code, name, city) VALUES (1, 'S1', '总店', '上海')"),
        (
            "staff",
            f"INSERT INTO staff (id, store_id, name, role, wecom_userid, active) "
            f"SELECT x, 1, '导购' || x, 'guide', 'G' || x, {d.true} FROM {d.series(100)}",
        ),
        (
            "customers",
            "INSERT INTO customers (id, name, birthday, baby_birthday, home_since, store_id, "
            "guide_id, followed, last_inbound_at, created_at, updated_at) "
            f"SELECT x, '顾客' || x, {d.day('1960-01-01', 'x * 37 % 18000')}, "
            f"CASE WHEN x % 5 = 0 THEN {d.day('2020-01-01', 'x * 7 % 2100')} END, "
            f"CASE WHEN x % 3 = 0 THEN {d.day('2010-01-01', 'x * 11 % 5800')} END, "
            f"1, (x % 100) + 1, CASE WHEN x % 20 = 0 THEN {d.false} ELSE {d.true} END, "
            f"CASE WHEN x % 20 = 1 THEN {d.ts('2026-11-24 00:00:00', 'x % 1440')} END, "
            f"{d.now}, {d.now} FROM {d.series(n)}",
        ),
        (
            "identities",
            "INSERT INTO channel_identities (customer_id, channel, account, external_id, active, "
            f"created_at) SELECT x, 'mp', 'wxsandbox0000mp01', 'o' || x, {d.true}, {d.now} "
            f"FROM {d.series(n)} WHERE x % 10 <> 0",
        ),
        (
            "devices",
            "INSERT INTO devices (id, customer_id, category, brand, purchase_date, "
            "warranty_months, retired, created_at) "
            f"SELECT x, (x + 1) / 2, {cat}, '品牌' || (x % 12), "
            f"{d.day('2012-01-01', 'x * 13 % 5440')}, CASE WHEN x % 3 = 0 THEN 36 ELSE 12 END, "
            f"{d.false}, {d.now} FROM {d.series(2 * n)}",
        ),
        (
            "stages",
            "INSERT INTO consumable_stages (device_id, stage, name, life_days, last_replaced_on) "
            f"SELECT dv.id, st.stage, st.name, st.life, "
            f"{d.day('2025-06-01', 'dv.id * 7 % 540')} FROM devices dv CROSS JOIN "
            "(SELECT 'pp' AS stage, 'PP棉滤芯' AS name, 180 AS life UNION ALL "
            "SELECT 'carbon', '活性炭滤芯', 365 UNION ALL SELECT 'ro', 'RO反渗透膜', 730) st "
            "WHERE dv.category = '净水器'",
        ),
        (
            "supplies",
            "INSERT INTO supplies (customer_id, product, category, pack_size, packs, daily_use, "
            f"started_on, active) SELECT x, '婴儿奶粉3段', '奶粉', 800, 1 + x % 3, 25 + x % 20, "
            f"{d.day('2026-09-01', 'x % 90')}, {d.true} FROM {d.series(n)} WHERE x % 10 = 3",
        ),
        (
            "tickets",
            "INSERT INTO service_tickets (number, kind, customer_id, category, status, "
            "created_at, updated_at, done_at) "
            "SELECT 'B' || x, CASE WHEN x % 2 = 0 THEN 'repair' ELSE 'cleaning' END, x, '空调', "
            f"'done', {d.now}, {d.now}, {d.ts('2026-10-01 00:00:00', 'x * 17 % 86400')} "
            f"FROM {d.series(n)} WHERE x % 100 = 7",
        ),
        (
            "opt_outs",
            "INSERT INTO opt_outs (customer_id, kind, created_at) "
            f"SELECT x, CASE WHEN x % 2 = 0 THEN 'festival' ELSE 'all' END, {d.now} "
            f"FROM {d.series(n)} WHERE x % 50 = 11",
        ),
    ]


async def reset(conn: AsyncConnection) -> None:
    for t in TABLES:
        await conn.execute(text(f"DELETE FROM {t}"))


async def seed(
    conn: AsyncConnection, n: int, pg: bool, progress: Callable[[str], None] | None = None
) -> None:
    for label, sql in statements(n, pg):
        await conn.execute(text(sql))
        if progress:
            progress(label)
    if pg:
        await conn.execute(text("ANALYZE"))
    else:
        await conn.execute(text("ANALYZE"))


async def enqueue_sends(conn: AsyncConnection, m: int, pg: bool, now_sql: str) -> None:
    """``m`` due customer-service replies (the dispatch benchmark)."""
    d = _Dialect(pg)
    await conn.execute(
        text(
            "INSERT INTO outbox (channel, recipient, kind, text, payload, status, attempts, "
            f"not_before, sandbox, created_at) SELECT 'mp_kf', 'o' || x, 'reply', '您好 ' || x, "
            f"'{{}}', 'pending', 0, {now_sql}, {d.false}, {d.now} FROM {d.series(m)}"
        )
    )
