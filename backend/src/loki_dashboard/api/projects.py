"""Project routes."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from pathlib import Path

from fastapi import APIRouter, Request, status

from loki_dashboard.api.deps import AuditDep, SessionDep, SettingsDep, is_admin, require_admin
from loki_dashboard.errors import Conflict, Forbidden, InvalidInput, NotFound, error_responses
from loki_dashboard.models import Project
from loki_dashboard.schemas import projects as schemas
from loki_dashboard.services import projects as service
from loki_dashboard.services.active_project import read_active
from loki_dashboard.services.prd_files import prd_candidates

router = APIRouter(prefix="/projects", tags=["projects"])


@router.get("", response_model=list[schemas.Project])
async def list_projects(session: SessionDep) -> Sequence[Project]:
    """List every registered project."""
    return await service.list_all(session)


@router.post(
    "",
    response_model=schemas.Project,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(InvalidInput, Conflict, Forbidden),
)
async def register_project(
    data: schemas.ProjectCreate,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    audit: AuditDep,
) -> Project:
    """Register a folder as a project (choosing config.runner_command needs admin scope)."""
    if service.runner_command_of(data.config) is not None:
        require_admin(request, "choosing config.runner_command")
    project = await service.register(
        session, data, loki_home=settings.home, allowed_runners=settings.allowed_runner_commands
    )
    audit("project.add", project.id, path=project.path, config=project.config)
    return project


@router.get("/active", response_model=schemas.Project, responses=error_responses(NotFound))
async def get_active_project(session: SessionDep, settings: SettingsDep) -> Project:
    """The active project ('loki projects switch'), which the UI opens first."""
    active = read_active(settings.home)
    if active is None:
        raise NotFound("no active project; choose one with 'loki projects switch <id>'")
    return await service.get(session, uuid.UUID(active))


@router.get(
    "/{project_id:uuid}", response_model=schemas.Project, responses=error_responses(NotFound)
)
async def get_project(project_id: uuid.UUID, session: SessionDep) -> Project:
    """Get one project."""
    return await service.get(session, project_id)


@router.get(
    "/{project_id:uuid}/prd-files", response_model=list[str], responses=error_responses(NotFound)
)
async def list_prd_files(project_id: uuid.UUID, session: SessionDep) -> list[str]:
    """Markdown files in the project that could be a run's PRD, the likeliest first."""
    project = await service.get(session, project_id)
    return await asyncio.to_thread(prd_candidates, Path(project.path))


@router.put(
    "/{project_id:uuid}",
    response_model=schemas.Project,
    responses=error_responses(NotFound, InvalidInput, Forbidden),
)
async def update_project(
    project_id: uuid.UUID,
    data: schemas.ProjectUpdate,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    audit: AuditDep,
) -> Project:
    """Update a project's name, provider, branch, remote or config (a different
    config.runner_command needs admin scope)."""
    project = await service.update(
        session,
        project_id,
        data,
        allowed_runners=settings.allowed_runner_commands,
        may_choose_runner=is_admin(request),
    )
    audit("project.update", project_id, changes=data.model_dump(mode="json", exclude_unset=True))
    return project


@router.delete(
    "/{project_id:uuid}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(NotFound),
)
async def delete_project(project_id: uuid.UUID, session: SessionDep, audit: AuditDep) -> None:
    """Unregister a project and remove its rows; files on disk are never touched."""
    await service.remove(session, project_id)
    audit("project.remove", project_id)
