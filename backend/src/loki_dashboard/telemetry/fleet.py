"""The fleet's figures, read from the database at scrape time: runs and tasks by status, tokens
and cost per project.

Every server process shares the database, so whichever is scraped answers the same; these are
computed, not counted, and never pass through the multiprocess files (that would add them up
once per process). Per-project series carry the project's id as their label: one series per
registered project, bounded by what the operator registers; `loki_project_info` maps ids to
names. Token figures come from each run's snapshot, which a run's own files feed: anything that
is not a finite number there counts as nothing.
"""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from typing import Any

from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from loki_dashboard.models import Project, RunSession, Task
from loki_dashboard.models.session import SESSION_STATUSES
from loki_dashboard.models.task import TASK_STATUSES


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0.0
    return float(value) if math.isfinite(value) else 0.0


async def _counts(session: AsyncSession, column: Any, known: tuple[str, ...]) -> dict[str, int]:
    counts = dict.fromkeys(known, 0)
    for status, count in await session.execute(select(column, func.count()).group_by(column)):
        counts[str(status)] = int(count)
    return counts


async def fleet_metrics(session: AsyncSession) -> list[Metric]:
    runs = GaugeMetricFamily("loki_runs", "Runs (sessions) by status", labels=["status"])
    for status, count in (await _counts(session, RunSession.status, SESSION_STATUSES)).items():
        runs.add_metric([status], count)
    tasks = GaugeMetricFamily("loki_tasks", "Tasks by status", labels=["status"])
    for status, count in (await _counts(session, Task.status, TASK_STATUSES)).items():
        tasks.add_metric([status], count)

    info = GaugeMetricFamily(
        "loki_project_info", "A registered project: its id and name", labels=["project_id", "name"]
    )
    totals: dict[uuid.UUID, list[float]] = {}
    for project_id, name in await session.execute(select(Project.id, Project.name)):
        info.add_metric([str(project_id), name], 1)
        totals[project_id] = [0.0, 0.0, 0.0]
    snapshot = RunSession.snapshot
    used = await session.execute(
        select(
            RunSession.project_id,
            snapshot[("tokens", "input")],
            snapshot[("tokens", "output")],
            snapshot[("tokens", "cost_usd")],
        )
    )
    sums: dict[uuid.UUID, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for project_id, tokens_in, tokens_out, cost in used:
        row = sums[project_id]
        row[0] += _number(tokens_in)
        row[1] += _number(tokens_out)
        row[2] += _number(cost)
    totals.update((key, value) for key, value in sums.items() if key in totals)

    tokens = GaugeMetricFamily(
        "loki_project_tokens",
        "Tokens the runs of a project used, by direction (input, output)",
        labels=["project_id", "direction"],
    )
    cost_usd = GaugeMetricFamily(
        "loki_project_cost_usd",
        "What the runs of a project cost, in US dollars",
        labels=["project_id"],
    )
    for project_id, (tokens_in, tokens_out, cost) in totals.items():
        tokens.add_metric([str(project_id), "input"], tokens_in)
        tokens.add_metric([str(project_id), "output"], tokens_out)
        cost_usd.add_metric([str(project_id)], cost)
    return [runs, tasks, info, tokens, cost_usd]
