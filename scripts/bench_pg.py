"""A throw-away PostgreSQL database for one benchmark run (scripts/bench_load.py and
scripts/bench_webhook.py --postgres): made empty on the server of an admin DSN, dropped
after the run even while a server still holds connections to it."""

from __future__ import annotations

import uuid


async def create_database(admin_dsn: str) -> tuple[str, str]:
    """A new empty database: its name, and its SQLAlchemy (asyncpg) URL."""
    import asyncpg

    name = f"wxbot_bench_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    base = admin_dsn.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    return name, f"{base}/{name}"


async def drop_database(admin_dsn: str, name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()
