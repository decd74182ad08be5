"""Run session routes."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from loki_dashboard.api.deps import AuditDep, BusDep, DatabaseDep, SessionDep, SettingsDep
from loki_dashboard.errors import (
    Conflict,
    FailedDependency,
    InvalidInput,
    NotFound,
    error_responses,
)
from loki_dashboard.models import RunSession
from loki_dashboard.schemas import sessions as schemas
from loki_dashboard.schemas.common import Page
from loki_dashboard.services import sessions as service

router = APIRouter(prefix="/sessions", tags=["sessions"])


@router.get("", response_model=Page[schemas.Session], responses=error_responses(InvalidInput))
async def list_sessions(
    session: SessionDep,
    project_id: uuid.UUID | None = None,
    status_: Annotated[
        list[schemas.SessionStatus], Query(alias="status", description="Repeat for several")
    ] = [],  # noqa: B006 (FastAPI copies query defaults)
    cursor: Annotated[str | None, Query(max_length=512)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    """List sessions, newest first."""
    items, next_cursor = await service.list_page(
        session, project_id=project_id, statuses=status_, cursor=cursor, limit=limit
    )
    return {"items": items, "next_cursor": next_cursor}


@router.post(
    "",
    response_model=schemas.Session,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(NotFound, Conflict, FailedDependency, InvalidInput),
)
async def create_session(
    data: schemas.SessionCreate,
    session: SessionDep,
    settings: SettingsDep,
    database: DatabaseDep,
    bus: BusDep,
    audit: AuditDep,
) -> RunSession:
    """Start a run of a project (start=false only records one)."""
    run = await service.create(
        session,
        data,
        runner_commands=settings.allowed_runner_commands,
        database=database,
        bus=bus,
    )
    if data.start:
        audit("session.start", run.id, project_id=str(run.project_id), prd=data.prd_path)
    return run


@router.get(
    "/{session_id:uuid}", response_model=schemas.Session, responses=error_responses(NotFound)
)
async def get_session(session_id: uuid.UUID, session: SessionDep) -> RunSession:
    """Get one session."""
    return await service.get(session, session_id)
