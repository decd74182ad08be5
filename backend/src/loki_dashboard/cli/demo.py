"""`loki-dashboard demo`: the dashboard with a simulated run in a demo project."""

from __future__ import annotations

import click

from loki_dashboard.cli.output import settings_or_fail
from loki_dashboard.simulator.demo import run_demo


@click.command()
@click.option("--port", type=int, default=None, help="Port [env LOKI_DASHBOARD_PORT; 57374]")
def demo(port: int | None) -> None:
    """Start the dashboard with a live simulated run (test and demo aid)."""
    raise SystemExit(run_demo(settings_or_fail(port=port)))
