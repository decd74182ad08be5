"""Every project with its newest run, task counts, active agents and last activity.

A fixed number of queries whatever the number of projects, so the first screen stays quick.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from loki_dashboard.models import Agent, AuditEntry, Log, Project, RunSession, Task
from loki_dashboard.models.agent import ACTIVE_AGENT_STATUSES
from loki_dashboard.models.task import TASK_STATUSES
from loki_dashboard.schemas.overview import ProjectOverview


async def overview(session: AsyncSession) -> list[ProjectOverview]:
    projects = list(await session.scalars(select(Project).order_by(Project.name, Project.id)))
    newest = await _newest_sessions(session)
    counts = await _task_counts(session)
    agents = dict(
        (
            await session.execute(
                select(Agent.project_id, func.count())
                .where(Agent.status.in_(ACTIVE_AGENT_STATUSES))
                .group_by(Agent.project_id)
            )
        ).all()
    )
    last_logs = await _last_log_times(session, [p.id for p in projects])
    stopped_on_request = await _stop_requested(session, [run.id for run in newest.values()])
    totals = await _run_totals(session)
    cards = []
    for project in projects:
        run = newest.get(project.id)
        cards.append(
            ProjectOverview.model_validate(
                {
                    "project": project,
                    "session": run,
                    "task_counts": counts.get(project.id, dict.fromkeys(TASK_STATUSES, 0)),
                    "active_agents": agents.get(project.id, 0),
                    "stop_requested": run is not None and str(run.id) in stopped_on_request,
                    "last_activity_at": _last_activity(run, last_logs.get(project.id)),
                    "totals": totals.get(project.id, {}),
                }
            )
        )
    return cards


def _last_activity(run: RunSession | None, last_log: datetime | None) -> datetime | None:
    """The run's own newest write (its files' times, not when we read them); a project whose
    runs say nothing falls back to its newest log line, then to its run's start."""
    if run is None:
        return last_log
    return run.last_activity_at or run.ended_at or last_log or run.started_at


async def _run_totals(session: AsyncSession) -> dict[uuid.UUID, dict[str, float | int]]:
    """Per project: its number of runs and the sums of what each spent."""
    rows = await session.execute(
        select(
            RunSession.project_id,
            func.count(),
            func.coalesce(func.sum(RunSession.cost_usd), 0.0),
            func.coalesce(func.sum(RunSession.input_tokens), 0),
            func.coalesce(func.sum(RunSession.output_tokens), 0),
        ).group_by(RunSession.project_id)
    )
    return {
        project_id: {
            "runs": runs,
            "cost_usd": round(float(cost or 0), 6),
            "input_tokens": int(tokens_in or 0),
            "output_tokens": int(tokens_out or 0),
        }
        for project_id, runs, cost, tokens_in, tokens_out in rows.all()
    }


async def _newest_sessions(session: AsyncSession) -> dict[uuid.UUID, RunSession]:
    ranked = select(
        RunSession.id,
        func.row_number()
        .over(
            partition_by=RunSession.project_id,
            order_by=(RunSession.started_at.desc(), RunSession.id.desc()),
        )
        .label("rank"),
    ).subquery()
    rows = await session.scalars(
        select(RunSession).join(ranked, ranked.c.id == RunSession.id).where(ranked.c.rank == 1)
    )
    return {run.project_id: run for run in rows}


async def _stop_requested(session: AsyncSession, run_ids: list[uuid.UUID]) -> set[str]:
    """Runs a stop was asked for: the audit trail keeps every accepted `session.stop`."""
    if not run_ids:
        return set()
    rows = await session.scalars(
        select(AuditEntry.target).where(
            AuditEntry.action == "session.stop",
            AuditEntry.target.in_([str(run_id) for run_id in run_ids]),
        )
    )
    return {target for target in rows if target is not None}


async def _task_counts(session: AsyncSession) -> dict[uuid.UUID, dict[str, int]]:
    rows = await session.execute(
        select(Task.project_id, Task.status, func.count()).group_by(Task.project_id, Task.status)
    )
    counts: dict[uuid.UUID, dict[str, int]] = {}
    for project_id, status, count in rows.all():
        counts.setdefault(project_id, dict.fromkeys(TASK_STATUSES, 0))[status] = count
    return counts


async def _last_log_times(
    session: AsyncSession, project_ids: list[uuid.UUID]
) -> dict[uuid.UUID, datetime]:
    if not project_ids:
        return {}
    # One index seek per project on (project_id, id): the newest line's id, then its time.
    newest_id = select(func.max(Log.id)).where(Log.project_id == Project.id).scalar_subquery()
    ids = [
        row_id
        for row_id in await session.scalars(
            select(newest_id).select_from(Project).where(Project.id.in_(project_ids))
        )
        if row_id is not None
    ]
    if not ids:
        return {}
    rows = await session.execute(select(Log.project_id, Log.timestamp).where(Log.id.in_(ids)))
    return {project_id: timestamp for project_id, timestamp in rows.all() if project_id}
