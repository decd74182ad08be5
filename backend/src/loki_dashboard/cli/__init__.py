"""The `loki` / `loki-dashboard` command line: one root group, one file per command group."""

from __future__ import annotations

import click

from loki_dashboard import __version__
from loki_dashboard.cli.dashboard import dashboard
from loki_dashboard.cli.demo import demo
from loki_dashboard.cli.projects import projects
from loki_dashboard.cli.simulate import simulate


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="loki-dashboard")
def cli() -> None:
    """Loki Dashboard: the real-time control room for Loki Mode runs."""


cli.add_command(dashboard)
cli.add_command(simulate)
cli.add_command(demo)
cli.add_command(projects)


def main() -> None:
    cli()
