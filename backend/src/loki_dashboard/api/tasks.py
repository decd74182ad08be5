"""Task routes: the Kanban board's reads and writes."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from loki_dashboard.api.deps import AuditDep, SessionDep
from loki_dashboard.api.fast_json import FastJSONResponse
from loki_dashboard.errors import Conflict, InvalidInput, NotFound, error_responses
from loki_dashboard.models import Task
from loki_dashboard.repositories.tasks import TaskFilter
from loki_dashboard.schemas import tasks as schemas
from loki_dashboard.schemas.common import Page
from loki_dashboard.services import tasks as service

router = APIRouter(prefix="/tasks", tags=["tasks"])


@router.get("", response_model=Page[schemas.Task], responses=error_responses(InvalidInput))
async def list_tasks(
    session: SessionDep,
    project_id: uuid.UUID | None = None,
    session_id: uuid.UUID | None = None,
    status_: Annotated[
        list[schemas.TaskStatus], Query(alias="status", description="Repeat for several columns")
    ] = [],  # noqa: B006 (FastAPI copies query defaults)
    priority: schemas.TaskPriority | None = None,
    type_: Annotated[str | None, Query(alias="type", max_length=32)] = None,
    label: Annotated[str | None, Query(max_length=64)] = None,
    parent_id: uuid.UUID | None = None,
    q: Annotated[
        str | None, Query(max_length=200, description="Text in title or description")
    ] = None,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """List tasks in board order (status, then column order), a page at a time."""
    where = TaskFilter(
        project_id=project_id,
        session_id=session_id,
        statuses=tuple(dict.fromkeys(status_)),
        priority=priority,
        type=type_,
        label=label,
        parent_id=parent_id,
        text=q,
    )
    items, next_cursor = await service.list_page(session, where, cursor=cursor, limit=limit)
    return {"items": items, "next_cursor": next_cursor}


@router.get(
    "/board",
    response_model=schemas.TaskBoard,
    response_class=FastJSONResponse,
    responses=error_responses(NotFound),
)
async def get_board(project_id: uuid.UUID, session: SessionDep) -> FastJSONResponse:
    """Get a project's whole board in one answer: every column's cards, in order."""
    return FastJSONResponse(await service.board(session, project_id))


@router.post(
    "",
    response_model=schemas.Task,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(NotFound, InvalidInput, Conflict),
)
async def create_task(data: schemas.TaskCreate, session: SessionDep, audit: AuditDep) -> Task:
    """Create a task at the end of its column."""
    task = await service.create(session, data)
    if task.external_id and task.source == "dashboard":  # it went into the run's queue
        audit("task.inject", task.id, project_id=str(task.project_id), title=task.title)
    return task


@router.post(
    "/bulk",
    response_model=schemas.TaskBulkResult,
    responses=error_responses(NotFound, InvalidInput),
)
async def bulk_tasks(data: schemas.TaskBulk, session: SessionDep) -> schemas.TaskBulkResult:
    """Update, move or delete many tasks at once; all or nothing."""
    return await service.bulk(session, data)


@router.get("/{task_id:uuid}", response_model=schemas.Task, responses=error_responses(NotFound))
async def get_task(task_id: uuid.UUID, session: SessionDep) -> Task:
    """Get one task."""
    return await service.get(session, task_id)


@router.patch(
    "/{task_id:uuid}",
    response_model=schemas.Task,
    responses=error_responses(NotFound, InvalidInput),
)
async def update_task(task_id: uuid.UUID, data: schemas.TaskUpdate, session: SessionDep) -> Task:
    """Change a task's fields; a new status moves it to the end of that column."""
    return await service.update(session, task_id, data)


@router.put(
    "/{task_id:uuid}/move",
    response_model=schemas.Task,
    responses=error_responses(NotFound, InvalidInput),
)
async def move_task(task_id: uuid.UUID, data: schemas.TaskMove, session: SessionDep) -> Task:
    """Move a task to a position in a column; every column stays densely numbered."""
    return await service.move(session, task_id, data)


@router.delete(
    "/{task_id:uuid}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(NotFound)
)
async def delete_task(task_id: uuid.UUID, session: SessionDep) -> None:
    """Delete a task; its subtasks become top-level."""
    await service.remove(session, task_id)
