"""`loki-dashboard simulate`: a fake Loki Mode run for tests and demos (not the real runner)."""

from __future__ import annotations

import os
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
@click.option(
    "--iterations",
    type=click.IntRange(min=1),
    default=lambda: int(os.environ.get("LOKI_MAX_ITERATIONS") or 1000),
    help="Stop at this many iterations (default: LOKI_MAX_ITERATIONS, else 1000)",
)
@click.option("--interval", type=float, default=2.0, help="Seconds per provider call")
@click.option(
    "--budget",
    type=click.FloatRange(min=0, min_open=True),
    default=lambda: (
        float(os.environ["LOKI_BUDGET_LIMIT"]) if os.environ.get("LOKI_BUDGET_LIMIT") else None
    ),
    help="Pause past this many dollars (default: LOKI_BUDGET_LIMIT); one iteration costs ~$0.08",
)
@click.option(
    "--fail-iteration", type=int, default=None, help="The provider call of this iteration fails"
)
@click.option(
    "--base-wait",
    type=float,
    default=None,
    help="Seconds to wait after a failed call, doubled per retry (default: LOKI_BASE_WAIT)",
)
def simulate(
    prd: str | None,
    project: Path,
    iterations: int,
    interval: float,
    budget: float | None,
    fail_iteration: int | None,
    base_wait: float | None,
) -> None:
    """Simulate a Loki Mode run in PROJECT's .loki/ (test and demo aid).

    It writes what the real runner writes. With a PRD (given, or PRD.md and the like found in the
    project) it runs in checkpoint mode (PAUSE pauses it at its next check); without one in
    perpetual mode (PAUSE is deleted and ignored). HUMAN_INPUT.md is used only with
    LOKI_PROMPT_INJECTION=true. SIGTERM with .loki/STOP present stops it; without STOP it pauses at
    the next checkpoint (perpetual mode carries on); a second signal within 2 s ends it.
    """
    wait = base_wait
    if wait is None and os.environ.get("LOKI_BASE_WAIT"):
        wait = float(os.environ["LOKI_BASE_WAIT"])
    run = SimulatedRun(
        project.resolve(),
        prd=prd,
        max_iterations=iterations,
        interval=interval,
        budget_limit=budget,
        fail_iteration=fail_iteration,
        prompt_injection=os.environ.get("LOKI_PROMPT_INJECTION") == "true",
        base_wait=wait,
    )
    raise SystemExit(run.run())
