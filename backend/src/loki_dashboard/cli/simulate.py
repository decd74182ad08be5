"""`loki-dashboard simulate`: a fake Loki Mode run for tests and demos (not the real runner)."""

from __future__ import annotations

from pathlib import Path

import click

from loki_dashboard.simulator.runner import SimulatedRun


@click.command()
@click.argument("prd", required=False)
@click.option(
    "--project",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    help="Project folder (default: the current folder)",
)
@click.option("--iterations", type=int, default=0, help="Stop after N iterations (0: never)")
@click.option("--interval", type=float, default=2.0, help="Seconds per iteration")
def simulate(prd: str | None, project: Path, iterations: int, interval: float) -> None:
    """Simulate a Loki Mode run in PROJECT's .loki/ (test and demo aid).

    With a PRD it runs in checkpoint mode (PAUSE pauses it); without one in perpetual mode
    (PAUSE is deleted and ignored), as the real runner does.
    """
    run = SimulatedRun(project.resolve(), iterations=iterations, interval=interval, prd=prd)
    raise SystemExit(run.run())
