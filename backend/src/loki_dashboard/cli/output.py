"""What every command shares: one-line errors with an exit code, and settings that fail that way."""

from __future__ import annotations

from typing import Any, NoReturn

import click

from loki_dashboard.config import ConfigError, Settings, load_settings


def fail(message: str, code: int = 1) -> NoReturn:
    """Print `error: <message>` (no traceback) and exit with `code`."""
    click.echo(f"error: {message}", err=True)
    raise SystemExit(code)


def settings_or_fail(**flags: Any) -> Settings:
    """Settings from flags, environment and config.yaml; a bad value exits 2 with one line."""
    try:
        return load_settings(**flags)
    except ConfigError as exc:
        fail(str(exc), code=2)
