"""The ``wxbot`` command: serve, db, demo, import, and the feature groups in ``bot/commands``."""

from __future__ import annotations

import asyncio
import importlib
import logging
import signal

import click

from bot.bootstrap import (
    FriendlyGroup,
    database_reachable_or_exit,
    live_ready_or_exit,
    services_or_exit,
    settings_or_exit,
    setup_logging,
)

log = logging.getLogger("wxbot")

# Feature command groups, one module each; a module that is not there yet is skipped.
COMMAND_MODULES = (
    "bot.commands.importer",
    "bot.commands.demo",
    "bot.commands.nlu",
    "bot.commands.chat",
    "bot.commands.care",
    "bot.commands.outbox",
    "bot.commands.mp",
    "bot.commands.work",
    "bot.commands.admin",
    "bot.commands.business",
    "bot.commands.rentals",
    "bot.commands.scrm",
    "bot.commands.convo",
)


@click.group(cls=FriendlyGroup)
@click.option(
    "--log-level",
    default="INFO",
    show_default=True,
    type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
    help="How much to log (DEBUG also shows tracebacks).",
)
def main(log_level: str) -> None:
    """wxbot: after-sales service on WeChat and WeCom."""
    setup_logging(log_level)


@main.command()
@click.option("--host", default=None, help="Interface to listen on (config server.host).")
@click.option(
    "--port", type=click.IntRange(1, 65535), default=None, help="Port (config server.port)."
)
@click.option(
    "--role",
    type=click.Choice(["all", "web", "scheduler"]),
    default="all",
    show_default=True,
    help="web: the webhooks and pages; scheduler: care planner and sender; all: both.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Web processes sharing the port (SO_REUSEPORT), supervised by this one.",
)
@click.option("--reuse-port", is_flag=True, hidden=True, help="Set by --workers for its children.")
@click.pass_context
def serve(
    ctx: click.Context,
    host: str | None,
    port: int | None,
    role: str,
    workers: int,
    reuse_port: bool,
) -> None:
    """Serve the webhooks and run the care scheduler."""
    settings = settings_or_exit()
    live_ready_or_exit(settings, role)
    if workers > 1:
        if role == "scheduler":
            raise click.ClickException("--workers is for web processes (--role all|web)")
        from bot.workers import supervise

        if settings.database.url.startswith("sqlite"):
            raise click.ClickException(
                "--workers needs PostgreSQL (database.url): SQLite takes one writer at a "
                "time and cannot keep one customer's turns in order across processes"
            )
        log_level = ctx.parent.params.get("log_level", "INFO") if ctx.parent else "INFO"
        ctx.exit(
            supervise(
                host or settings.server.host,
                port or settings.server.port,
                role,
                workers,
                log_level,
            )
        )
    services = services_or_exit(settings=settings)
    host = host or services.settings.server.host
    port = port or services.settings.server.port
    asyncio.run(_serve(services, host, port, role, reuse_port))


async def _serve(services, host: str, port: int, role: str, reuse_port: bool = False) -> None:
    from aiohttp import web

    from bot.app import create_app, runner_options
    from bot.runtime import start_background, stop_background

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    runner = None
    started = False
    try:
        if role in ("all", "web"):
            runner = web.AppRunner(create_app(services), **runner_options(services))
            await runner.setup()
            try:
                await web.TCPSite(runner, host, port, reuse_port=reuse_port or None).start()
            except OSError as exc:
                raise click.ClickException(
                    f"cannot listen on {host}:{port}: {exc.strerror or exc}"
                ) from None
        from bot.leader import SchedulerAlreadyRunning

        try:
            await start_background(services, role)
        except SchedulerAlreadyRunning as exc:
            raise click.ClickException(str(exc)) from None
        started = True
        if runner is not None:
            mode = "sandbox" if services.settings.sandbox else "live"
            click.echo(f"wxbot serving on http://{host}:{port} ({mode}, role={role})", err=True)
        else:
            click.echo(f"wxbot scheduler running (role={role})", err=True)
        await stop.wait()
    finally:
        if runner is not None:
            await runner.cleanup()
        if started:
            await stop_background(services)
        await services.close()


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply the Alembic migrations to database.url."""
    from storage.migrate import upgrade

    settings = settings_or_exit()
    database_reachable_or_exit(settings)
    upgrade(settings.database.url, revision)
    click.echo(f"database at revision {revision}", err=True)


@db.command("revision")
@click.option("-m", "--message", required=True, help="What the schema change is.")
def db_revision(message: str) -> None:
    """Write a new migration from the difference between storage/models.py and head."""
    import tempfile

    from alembic import command

    from storage.migrate import alembic_config, upgrade

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/head.db"
        upgrade(url)
        command.revision(alembic_config(url), message=message, autogenerate=True)


for _name in COMMAND_MODULES:
    _module = importlib.import_module(_name)
    for _cmd in getattr(_module, "COMMANDS", ()):
        main.add_command(_cmd)


if __name__ == "__main__":  # pragma: no cover
    main()
