"""Start-up helpers shared by the CLI commands: load the config or exit 2 with one line per
problem; reach the database or exit 1 at once; one clear line instead of a traceback."""

from __future__ import annotations

import logging
import socket
import sys
from datetime import date, datetime

import click

from bot.config import ConfigError, Settings, load_settings
from bot.context import Services, build_services

CONNECT_TIMEOUT_S = 3.0
NOT_MIGRATED = (
    "no such table",
    "no such column",
    'relation "',
    "undefinedtable",
    "undefinedcolumn",
)
UNREACHABLE = (
    "InvalidCatalogNameError",
    "InvalidPasswordError",
    "InvalidAuthorizationSpecificationError",
    "ConnectionDoesNotExistError",
)


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except ConfigError as exc:
        for line in exc.problems:
            click.echo(f"config error: {line}", err=True)
        sys.exit(2)


def safe_url(url: str) -> str:
    """The database URL without its password, for messages."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a URL we cannot parse is shown by its scheme only
        return url.split(":", 1)[0] + "://…"


def database_reachable_or_exit(settings: Settings, timeout: float = CONNECT_TIMEOUT_S) -> None:
    """A networked database (PostgreSQL) must answer a TCP connect within ``timeout``
    seconds; else one line and exit 1, instead of a long wait and a driver traceback."""
    from sqlalchemy.engine import make_url

    url = make_url(settings.database.url)
    if url.get_backend_name() != "postgresql" or not url.host or url.host.startswith("/"):
        return
    port = url.port or 5432
    try:
        socket.create_connection((url.host, port), timeout=timeout).close()
    except OSError as exc:
        reason = "timed out" if isinstance(exc, TimeoutError) else (exc.strerror or str(exc))
        click.echo(
            f"error: cannot reach the database at {safe_url(settings.database.url)}: {reason}",
            err=True,
        )
        sys.exit(1)


def live_ready_or_exit(settings: Settings, role: str) -> None:
    """Outside sandbox mode, refuse (exit 2, one line per setting) the public demo secrets,
    empty or weak ones (:mod:`bot.live_check`)."""
    from bot.live_check import live_problems

    problems = live_problems(settings, role)
    if problems:
        for line in problems:
            click.echo(f"config error: {line}", err=True)
        sys.exit(2)


def services_or_exit(now: datetime | None = None, settings: Settings | None = None) -> Services:
    settings = settings or settings_or_exit()
    database_reachable_or_exit(settings)
    return build_services(settings, now)


def setup_logging(level: str = "INFO") -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # APScheduler logs every job added and every run at INFO; our jobs log what they did.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def _database_url() -> str:
    try:
        return safe_url(load_settings().database.url)
    except Exception:  # noqa: BLE001
        return "database.url"


def explain(exc: BaseException) -> str:
    """The one line an operator needs for an unexpected ``exc``."""
    orig = getattr(exc, "orig", None) or exc
    text = (str(orig).strip().splitlines() or [""])[0]
    low = f"{type(orig).__name__} {text}".lower()
    module = type(exc).__module__
    if isinstance(orig, OSError) or type(orig).__name__ in UNREACHABLE:
        if module.startswith(("sqlalchemy", "asyncpg")) or isinstance(orig, ConnectionError):
            return f"cannot reach the database at {_database_url()}: {text or type(orig).__name__}"
    if module.startswith(("sqlalchemy", "sqlite3", "asyncpg", "aiosqlite")):
        if any(k in low for k in NOT_MIGRATED):
            return (
                f"the database at {_database_url()} is not set up or is behind ({text}); "
                "run `wxbot db upgrade` first"
            )
        return f"database error at {_database_url()}: {text}"
    if module.startswith("alembic"):
        return f"migration: {text}"
    if isinstance(exc, OSError):
        return text or type(exc).__name__
    return f"{type(exc).__name__}: {text} (run with --log-level DEBUG for the traceback)"


class FriendlyGroup(click.Group):
    """A click group whose commands end with ``error: <one line>`` and exit 1 on an
    unexpected exception (the traceback only with ``--log-level DEBUG``)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except BrokenPipeError:  # `wxbot nlu eval … | head`: the reader has gone, say nothing
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)
        except Exception as exc:  # noqa: BLE001 - the point of this class
            if str(ctx.params.get("log_level", "")).upper() == "DEBUG":
                raise
            click.echo(f"error: {explain(exc)}", err=True)
            sys.exit(1)


def day_option(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    """A click callback for ``--on YYYY-MM-DD`` options."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("use YYYY-MM-DD") from None
