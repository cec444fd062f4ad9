"""For scripts/bench_tags.py: WeCom links for a share of the synthetic customers of
scripts/bench_world_care.py (so tag changes are logged for the sync), in one statement."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from scripts.bench_world_care import _Dialect

TABLES = ("campaign_targets", "campaigns", "tag_changes", "customer_tags", "tags", "segments")


async def reset(conn: AsyncConnection) -> None:
    for t in TABLES:
        await conn.execute(text(f"DELETE FROM {t}"))


async def link_wecom(conn: AsyncConnection, n: int, every: int, pg: bool) -> None:
    """Every ``every``-th customer added their guide (G1…G100) in WeCom."""
    d = _Dialect(pg)
    await conn.execute(
        text(
            "INSERT INTO channel_identities (customer_id, channel, account, external_id, "
            f"follow_user, active, created_at) SELECT x, 'work', 'wwsandbox0000corp', 'wm' || x, "
            f"'G' || ((x % 100) + 1), {d.true}, {d.now} FROM {d.series(n)} WHERE x % {every} = 0"
        )
    )
    await conn.execute(text("ANALYZE"))
