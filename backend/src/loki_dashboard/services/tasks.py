"""Kanban tasks: create, edit, move and delete, keeping every column's order dense and unique.

Every write that changes a column's order first locks the project's row, so concurrent moves in
one project queue up instead of interleaving (PostgreSQL); on SQLite the single writer connection
already serialises them. Within the lock a column is read, re-ordered in memory and only the rows
whose position changed are written.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession

from loki_dashboard.db.types import utcnow
from loki_dashboard.errors import Conflict, InvalidInput, NotFound
from loki_dashboard.models import RunSession, Task
from loki_dashboard.models.task import TASK_STATUSES
from loki_dashboard.realtime.events import DomainEvent, stage_event
from loki_dashboard.repositories import projects as projects_repo
from loki_dashboard.repositories import tasks as repo
from loki_dashboard.repositories.tasks import SortKey, TaskFilter
from loki_dashboard.schemas import tasks as schemas
from loki_dashboard.services import task_queue_sync as queue_sync
from loki_dashboard.services.cursors import decode_cursor, encode_cursor, invalid_cursor
from loki_dashboard.services.task_queue_sync import wants_front

# A board shows at most this many cards of one column; `truncated` names the longer ones.
BOARD_LIMIT = 5_000
# Deepest parent chain we walk when refusing cycles; real boards nest a few levels.
MAX_PARENT_DEPTH = 10_000


async def _reload_order(session: AsyncSession, task: Task) -> None:
    """Load column_order again if a shift made it stale (see repositories.tasks.forget_orders)."""
    if "column_order" in inspect(task).unloaded:
        await session.refresh(task, ["column_order"])


def _event(kind: str, task: Task, **extra: Any) -> DomainEvent:
    data = schemas.Task.model_validate(task).model_dump(mode="json") | extra
    return DomainEvent(f"task:{kind}", data, project_id=task.project_id, session_id=task.session_id)


def _encode(key: SortKey) -> str:
    return encode_cursor(key.rank, key.column_order, str(key.id))


def _decode(cursor: str) -> SortKey:
    rank, order, task_id = decode_cursor(cursor, int, int, str)
    try:
        return SortKey(rank, order, uuid.UUID(task_id))
    except ValueError:
        raise invalid_cursor() from None


async def list_page(
    session: AsyncSession, where: TaskFilter, *, cursor: str | None, limit: int
) -> tuple[Sequence[Task], str | None]:
    """One page of tasks and the cursor of the next page (None at the end)."""
    after = _decode(cursor) if cursor else None
    items = await repo.list_page(session, where, after=after, limit=limit + 1)
    if len(items) <= limit:
        return items, None
    items = items[:limit]
    return items, _encode(repo.sort_key(items[-1]))


async def board(session: AsyncSession, project_id: uuid.UUID) -> dict[str, Any]:
    """Every column of a project's board in one answer, as plain data (see schemas.TaskBoard)."""
    if await projects_repo.get(session, project_id) is None:
        raise NotFound(f"project {project_id} not found", details={"project_id": str(project_id)})
    stats = await repo.column_stats(session, project_id, TASK_STATUSES)
    totals = {status: stats[status][0] if status in stats else 0 for status in TASK_STATUSES}
    items: list[dict[str, Any]] = []
    for status, total in totals.items():
        if total:
            items.extend(await repo.column_rows(session, project_id, status, limit=BOARD_LIMIT))
    truncated = [status for status, total in totals.items() if total > BOARD_LIMIT]
    return {"items": items, "totals": totals, "truncated": truncated}


async def get(session: AsyncSession, task_id: uuid.UUID) -> Task:
    task = await repo.get(session, task_id)
    if task is None:
        raise NotFound(f"task {task_id} not found")
    return task


async def _lock_project(session: AsyncSession, project_id: uuid.UUID) -> None:
    if not await projects_repo.lock(session, project_id):
        raise NotFound(f"project {project_id} not found", details={"project_id": str(project_id)})


async def _check_parent(
    session: AsyncSession, *, task_id: uuid.UUID | None, project_id: uuid.UUID, parent_id: uuid.UUID
) -> None:
    parent = await repo.get(session, parent_id)
    if parent is None:
        raise InvalidInput(f"parent task {parent_id} not found", details=[{"field": "parent_id"}])
    if parent.project_id != project_id:
        raise InvalidInput(
            "a subtask's parent must be in the same project", details=[{"field": "parent_id"}]
        )
    if task_id is not None and task_id in await repo.parent_chain(
        session, parent_id, MAX_PARENT_DEPTH
    ):
        raise InvalidInput(
            f"task {parent_id} is this task or one of its subtasks; a parent there makes a cycle",
            details=[{"field": "parent_id"}],
        )


async def _check_session(
    session: AsyncSession, *, project_id: uuid.UUID, session_id: uuid.UUID
) -> None:
    run = await session.get(RunSession, session_id)
    if run is None or run.project_id != project_id:
        raise InvalidInput(
            f"session {session_id} is not a session of this task's project",
            details=[{"field": "session_id"}],
        )


async def _ensure_dense(session: AsyncSession, project_id: uuid.UUID, *statuses: str) -> int:
    """Make columns 0..n-1 if they are not (rows written before the rules, or by hand); returns
    the size of the first. Normally one indexed count/min/max query finds them dense."""
    stats = await repo.column_stats(session, project_id, statuses)
    for status in statuses:
        count, low, high = stats.get(status, (0, None, None))
        if count and (low != 0 or high != count - 1):
            current = await repo.column_ids(session, project_id, status)
            await repo.write_orders(
                session, {task_id: n for n, (task_id, order) in enumerate(current) if order != n}
            )
    return stats.get(statuses[0], (0, None, None))[0]


async def _hold_project(session: AsyncSession, task: Task) -> None:
    """Serialise order changes in the task's project and re-read the task under that lock.

    PostgreSQL: a row lock on the project. SQLite: nothing to do, the write transaction
    (BEGIN IMMEDIATE on the single writer connection) already serialises and read it fresh."""
    if session.get_bind().dialect.name == "sqlite":
        return
    await _lock_project(session, task.project_id)
    await session.refresh(task)  # another mover may have shifted it while we waited


async def _close_gap(session: AsyncSession, task: Task) -> None:
    """Take `task` out of its column: everything after it moves up one."""
    await repo.shift(session, task.project_id, task.status, -1, above=task.column_order)


def _set_status(task: Task, status: str) -> None:
    if status == task.status:
        return
    now = utcnow()
    if status == "in_progress" and task.started_at is None:
        task.started_at = now
    task.completed_at = now if status == "completed" else None
    task.status = status


async def _place(
    session: AsyncSession, task: Task, status: str, position: int | None
) -> tuple[str, bool]:
    """Put `task` at `position` (None = end) of column `status`, closing the gap it leaves.

    Set-based shifts of the rows between the old and new place keep the columns dense without
    reading them. Returns the status it came from and whether it just became completed.
    """
    old_status = task.status
    queue_sync.refuse_run_owned_move(task, status)
    if old_status != status:
        size = await _ensure_dense(session, task.project_id, status, old_status)
        await _reload_order(session, task)
        await _close_gap(session, task)
        at = size if position is None else min(position, size)
        await repo.shift(session, task.project_id, status, +1, above=at - 1)
    else:
        size = await _ensure_dense(session, task.project_id, status)
        await _reload_order(session, task)
        at = size - 1 if position is None else min(position, size - 1)
        old = task.column_order
        if at < old:
            await repo.shift(session, task.project_id, status, +1, above=at - 1, below=old)
        elif at > old:
            await repo.shift(session, task.project_id, status, -1, above=old, below=at + 1)
    repo.forget_orders(session, keep=task)
    task.column_order = at
    _set_status(task, status)
    await queue_sync.after_move(session, task, old_status)
    return old_status, status == "completed" and old_status != "completed"


async def create(session: AsyncSession, data: schemas.TaskCreate) -> Task:
    """Add a task at the end of its column; a pending dashboard task of a project with a run
    queue goes to the front instead, as it does in the run's pending.json."""
    await _lock_project(session, data.project_id)
    if data.parent_id is not None:
        await _check_parent(
            session, task_id=None, project_id=data.project_id, parent_id=data.parent_id
        )
    if data.session_id is not None:
        await _check_session(session, project_id=data.project_id, session_id=data.session_id)
    if data.external_id is not None and await repo.get_by_external_id(
        session, data.project_id, data.external_id
    ):
        raise Conflict(
            f"this project already has a task with external_id '{data.external_id}'",
            details={"external_id": data.external_id},
        )
    fields = data.model_dump(exclude={"metadata", "status"})
    task = Task(**fields, meta=data.metadata, status=data.status)
    if wants_front(task) and await queue_sync.has_queue(session, data.project_id):
        task.external_id = task.external_id or queue_sync.new_external_id()
        await _ensure_dense(session, data.project_id, "pending")
        await repo.shift(session, data.project_id, "pending", +1, above=-1)
        task.column_order = 0
    else:
        task.column_order = await repo.column_size(session, data.project_id, data.status)
    if data.status == "completed":
        task.completed_at = utcnow()
    elif data.status == "in_progress":
        task.started_at = utcnow()
    session.add(task)
    await session.flush()
    await queue_sync.after_create(session, task)
    stage_event(session, _event("created", task))
    return task


async def _apply_update(session: AsyncSession, task: Task, data: schemas.TaskUpdate) -> bool:
    """Change the fields sent (not yet flushed); returns whether the task just completed."""
    await _reload_order(session, task)
    fields = data.model_dump(exclude_unset=True)
    if fields.get("parent_id") is not None:
        await _check_parent(
            session, task_id=task.id, project_id=task.project_id, parent_id=fields["parent_id"]
        )
    if fields.get("session_id") is not None:
        await _check_session(session, project_id=task.project_id, session_id=fields["session_id"])
    status = fields.pop("status", None)
    if "metadata" in fields:
        task.meta = fields.pop("metadata")
    for name, value in fields.items():
        setattr(task, name, value)
    completed = False
    if status is not None and status != task.status:
        _, completed = await _place(session, task, status, None)
    return completed


async def _stage_updated(session: AsyncSession, task: Task, completed: bool) -> None:
    await _reload_order(session, task)
    stage_event(session, _event("updated", task))
    if completed:
        stage_event(session, _event("completed", task))


async def update(session: AsyncSession, task_id: uuid.UUID, data: schemas.TaskUpdate) -> Task:
    """Change the fields sent; a new status moves the task to the end of that column."""
    task = await get(session, task_id)
    old_status = task.status
    if data.status is not None:
        await _hold_project(session, task)
        queue_sync.refuse_run_owned_move(task, data.status)
    completed = await _apply_update(session, task, data)
    await session.flush()
    await queue_sync.after_update(session, task, old_status)
    await _stage_updated(session, task, completed)
    return task


async def _move(session: AsyncSession, task: Task, status: str, position: int | None) -> None:
    from_status, completed = await _place(session, task, status, position)
    await session.flush()
    stage_event(session, _event("moved", task, from_status=from_status))
    if completed:
        stage_event(session, _event("completed", task))


async def move(session: AsyncSession, task_id: uuid.UUID, data: schemas.TaskMove) -> Task:
    """Put a task at a position of a column; both columns stay dense."""
    task = await get(session, task_id)
    await _hold_project(session, task)
    await _move(session, task, data.status, data.column_order)
    return task


async def _remove(session: AsyncSession, task: Task) -> None:
    await _reload_order(session, task)
    event = _event("deleted", task)
    await repo.detach_children(session, task.id)
    await _ensure_dense(session, task.project_id, task.status)
    await session.refresh(task, ["column_order"])
    await _close_gap(session, task)
    repo.forget_orders(session, keep=task)
    await session.delete(task)
    await session.flush()
    await queue_sync.after_delete(session, task)
    stage_event(session, event)


async def remove(session: AsyncSession, task_id: uuid.UUID) -> None:
    """Delete a task; its subtasks become top-level and its column closes the gap."""
    task = await get(session, task_id)
    await _hold_project(session, task)
    await _remove(session, task)


async def bulk(session: AsyncSession, data: schemas.TaskBulk) -> schemas.TaskBulkResult:
    """Apply one action to many tasks; any failure rolls all of it back."""
    found = {task.id: task for task in await repo.get_many(session, data.ids)}
    missing = [str(task_id) for task_id in data.ids if task_id not in found]
    if missing:
        raise NotFound(
            f"{len(missing)} of {len(data.ids)} tasks not found; nothing was changed",
            details={"missing_ids": missing},
        )
    for project_id in sorted({task.project_id for task in found.values()}):
        await _lock_project(session, project_id)  # a fixed order, so two bulks never deadlock
    # Re-read them all under the locks: a concurrent writer may have moved them meanwhile.
    await repo.get_many(session, data.ids, fresh=True)
    tasks = [found[task_id] for task_id in data.ids]
    if data.action == "delete":
        for task in tasks:
            await _remove(session, task)
        return schemas.TaskBulkResult(action="delete", items=[], deleted_ids=list(data.ids))
    if data.action == "move":
        assert data.status is not None  # checked by the schema
        for n, task in enumerate(tasks):
            position = None if data.column_order is None else data.column_order + n
            await _move(session, task, data.status, position)
    else:
        assert data.update is not None
        completed = [await _apply_update(session, task, data.update) for task in tasks]
        await session.flush()  # one flush for the whole batch
        for task, done in zip(tasks, completed, strict=True):
            await _stage_updated(session, task, done)
    for task in tasks:
        await _reload_order(session, task)  # later moves shifted the earlier ones
    items = [schemas.Task.model_validate(task) for task in tasks]
    return schemas.TaskBulkResult(action=data.action, items=items)
