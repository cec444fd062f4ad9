"""Alembic, driven from code: ``wxbot db upgrade`` and the tests call :func:`upgrade`."""

from __future__ import annotations

import threading
from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Upgrade the database at ``url``. Safe to call from inside a running event loop."""
    from storage.db import _ensure_sqlite_dir

    _ensure_sqlite_dir(url)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            command.upgrade(alembic_config(url), revision)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            errors.append(exc)

    t = threading.Thread(target=run, name="alembic-upgrade")
    t.start()
    t.join()
    if errors:
        raise errors[0]


_heads: frozenset[str] | None = None


def heads() -> frozenset[str]:
    """The revisions the migration scripts end at (what ``upgrade`` brings a database to)."""
    global _heads
    if _heads is None:
        from alembic.script import ScriptDirectory

        _heads = frozenset(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())
    return _heads
