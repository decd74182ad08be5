"""`loki-dashboard demo`: the dashboard with a simulated run in a demo project."""

from __future__ import annotations

import click

from loki_dashboard.config import ConfigError, load_settings
from loki_dashboard.simulator.demo import run_demo


@click.command()
@click.option("--port", type=int, default=None, help="Port [env LOKI_DASHBOARD_PORT; 57374]")
def demo(port: int | None) -> None:
    """Start the dashboard with a live simulated run (test and demo aid)."""
    try:
        settings = load_settings(port=port)
    except ConfigError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None
    raise SystemExit(run_demo(settings))
