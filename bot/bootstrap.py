"""Start-up helpers shared by the CLI commands: load the config or exit 2 with one line per problem."""

from __future__ import annotations

import logging
import sys
from datetime import datetime

import click

from bot.config import ConfigError, Settings, load_settings
from bot.context import Services, build_services


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except ConfigError as exc:
        for line in exc.problems:
            click.echo(f"config error: {line}", err=True)
        sys.exit(2)


def services_or_exit(now: datetime | None = None) -> Services:
    return build_services(settings_or_exit(), now)


def setup_logging(level: str = "INFO") -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
