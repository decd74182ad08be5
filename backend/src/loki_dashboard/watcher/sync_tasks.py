"""Queue files → task rows, matched by `(project, external_id)`, in one bulk upsert per change.

A task's group sets its status; a task that leaves the files keeps its row and last status.
The mirror passes each changed task with the fields it last wrote (None for a task it has not
seen), which decides the event: task:created, task:moved (status changed; plus task:completed on
reaching completed) or task:updated (any other field).
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Table, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from loki_dashboard.db.types import utcnow
from loki_dashboard.loki.queue import QueueTask
from loki_dashboard.models import Task
from loki_dashboard.realtime.events import DomainEvent
from loki_dashboard.watcher.serialize import task_data
from loki_dashboard.watcher.writer import MergeableJob

# The task columns the files decide; also what the mirror compares to skip unchanged tasks.
FILE_FIELDS = (
    "title",
    "description",
    "status",
    "priority",
    "type",
    "column_order",
    "labels",
    "github_issue",
    "meta",
)
_TABLE = cast(Table, Task.__table__)
_COLUMN_OF = {attr: column.name for attr, column in Task.__mapper__.columns.items()}
_ATTR_OF = {column: attr for attr, column in _COLUMN_OF.items()}
_CHUNK = 500

Change = tuple[QueueTask, dict[str, Any] | None]


def task_fields(task: QueueTask) -> dict[str, Any]:
    return {
        "title": task.title,
        "description": task.description,
        "status": task.status,
        "priority": task.priority,
        "type": task.type,
        "column_order": task.position,
        "labels": task.labels,
        "github_issue": task.github_issue,
        "meta": {"loki": task.raw},
    }


class TasksJob(MergeableJob):
    """Upsert changed tasks of one or more projects in one statement per chunk."""

    merge_group = "tasks"

    def __init__(self, rows: list[tuple[uuid.UUID, uuid.UUID | None, Change]]) -> None:
        self.rows = rows

    def merged(self, jobs: list[MergeableJob]) -> MergeableJob:
        # One row per task: its first known previous state, its last fields (PostgreSQL refuses
        # to update the same row twice in one statement).
        by_key: dict[tuple[uuid.UUID, str], tuple[uuid.UUID, uuid.UUID | None, Change]] = {}
        for job in jobs:
            assert isinstance(job, TasksJob)
            for project_id, session_id, (task, previous) in job.rows:
                key = (project_id, task.external_id)
                first = by_key.get(key)
                kept = first[2][1] if first is not None else previous
                by_key[key] = (project_id, session_id, (task, kept))
        return TasksJob(list(by_key.values()))

    async def __call__(self, session: AsyncSession) -> list[DomainEvent]:
        events: list[DomainEvent] = []
        dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
        for start in range(0, len(self.rows), _CHUNK):
            chunk = self.rows[start : start + _CHUNK]
            params = [
                _row(project_id, session_id, task) for project_id, session_id, (task, _) in chunk
            ]
            result = await session.execute(_upsert(dialect), params)
            stored = {(row["project_id"], row["external_id"]): row for row in result.mappings()}
            for project_id, _session_id, (task, previous) in chunk:
                row = stored.get((project_id, task.external_id))
                if row is not None:
                    events.extend(_events(row, previous))
        return events


def tasks_job(
    project_id: uuid.UUID, session_id: uuid.UUID | None, changes: Sequence[Change]
) -> TasksJob:
    return TasksJob([(project_id, session_id, change) for change in changes])


def _row(project_id: uuid.UUID, session_id: uuid.UUID | None, task: QueueTask) -> dict[str, Any]:
    now = utcnow()
    values: dict[str, Any] = {
        "id": uuid.uuid4(),
        "project_id": project_id,
        "session_id": session_id,
        "parent_id": None,
        "external_id": task.external_id,
        "source": task.source,
        "created_at": now,
        "updated_at": now,
        "started_at": now if task.status == "in_progress" else None,
        "completed_at": now if task.status in ("completed", "failed") else None,
        "agent_type": None,
        "agent_model": None,
        "output": None,
        "error": None,
    }
    values.update(task_fields(task))
    return {_COLUMN_OF[key]: value for key, value in values.items()}


@functools.cache
def _upsert(dialect: str) -> Any:
    """INSERT … ON CONFLICT (project_id, external_id) DO UPDATE … RETURNING, built once."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(_TABLE)
    excluded = stmt.excluded
    updates: dict[str, Any] = {_COLUMN_OF[name]: excluded[_COLUMN_OF[name]] for name in FILE_FIELDS}
    updates["updated_at"] = excluded.updated_at
    updates["started_at"] = func.coalesce(_TABLE.c.started_at, excluded.started_at)
    updates["completed_at"] = func.coalesce(_TABLE.c.completed_at, excluded.completed_at)
    return stmt.on_conflict_do_update(
        index_elements=[_TABLE.c.project_id, _TABLE.c.external_id], set_=updates
    ).returning(*_TABLE.c)


def _events(row: Any, previous: dict[str, Any] | None) -> list[DomainEvent]:
    data = task_data({_ATTR_OF[key]: value for key, value in row.items()})
    project_id, session_id = row["project_id"], row["session_id"]
    if previous is None:
        return [DomainEvent("task:created", data, project_id=project_id, session_id=session_id)]
    if previous.get("status") == data["status"]:
        return [DomainEvent("task:updated", data, project_id=project_id, session_id=session_id)]
    data["from_status"] = previous.get("status")
    events = [DomainEvent("task:moved", data, project_id=project_id, session_id=session_id)]
    if data["status"] == "completed":
        events.append(
            DomainEvent("task:completed", data, project_id=project_id, session_id=session_id)
        )
    return events
