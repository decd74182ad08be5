"""Registering, updating and removing projects."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from loki_dashboard.errors import Conflict, InvalidInput, NotFound
from loki_dashboard.models import Project, RemovedProject
from loki_dashboard.realtime.events import DomainEvent, stage_event
from loki_dashboard.repositories import projects as repo
from loki_dashboard.schemas import projects as schemas
from loki_dashboard.services.git_info import read_git_info


def _event(kind: str, project: Project) -> DomainEvent:
    data = schemas.Project.model_validate(project).model_dump(mode="json")
    return DomainEvent(f"project:{kind}", data, project_id=project.id)


def resolve_project_path(raw: str, *, loki_home: Path) -> Path:
    """Normalise a user-given path and refuse what cannot be a project folder."""
    if "\x00" in raw:
        raise InvalidInput("path contains a NUL byte", details=[{"field": "path"}])
    try:
        candidate = Path(raw).expanduser()
    except RuntimeError:  # "~someone" for a user that does not exist
        raise InvalidInput(
            f"cannot expand '{raw}': no such user", details=[{"field": "path", "value": raw}]
        ) from None
    if not candidate.is_absolute():
        raise InvalidInput(
            f"path must be absolute, got '{raw}'", details=[{"field": "path", "value": raw}]
        )
    try:
        resolved = candidate.resolve(strict=True)
    except (FileNotFoundError, NotADirectoryError):
        raise InvalidInput(
            f"no such folder: {candidate}", details=[{"field": "path", "value": raw}]
        ) from None
    except (OSError, RuntimeError) as exc:  # permission denied, symlink loops
        raise InvalidInput(
            f"cannot open {candidate}: {exc}", details=[{"field": "path", "value": raw}]
        ) from None
    if not resolved.is_dir():
        raise InvalidInput(f"not a folder: {resolved}", details=[{"field": "path", "value": raw}])
    if resolved == loki_home.resolve():
        raise InvalidInput(
            f"{resolved} is LOKI_HOME, the dashboard's own folder, not a project",
            details=[{"field": "path", "value": raw}],
        )
    return resolved


async def get(session: AsyncSession, project_id: uuid.UUID) -> Project:
    project = await repo.get(session, project_id)
    if project is None:
        raise NotFound(f"project {project_id} not found")
    return project


async def list_all(session: AsyncSession) -> Sequence[Project]:
    return await repo.list_all(session)


async def register(
    session: AsyncSession, data: schemas.ProjectCreate, *, loki_home: Path
) -> Project:
    """Register a folder as a project; git remote and branch are read from it when it is a repo."""
    folder = resolve_project_path(data.path, loki_home=loki_home)
    existing = await repo.get_by_path(session, str(folder))
    if existing is not None:
        raise Conflict(
            f"{folder} is already registered as project '{existing.name}'",
            details={"id": str(existing.id)},
        )
    git = await asyncio.to_thread(read_git_info, folder)  # the run's files: never on the loop
    project = Project(
        name=data.name or folder.name or os.sep,
        path=str(folder),
        git_remote=git.remote,
        git_branch=git.branch,
        provider=data.provider,
        config=data.config,
    )
    session.add(project)
    # Registered by hand again: the registry import may bring it back after a later removal.
    await session.execute(delete(RemovedProject).where(RemovedProject.path == project.path))
    await session.flush()
    stage_event(session, _event("created", project))
    return project


async def update(
    session: AsyncSession, project_id: uuid.UUID, data: schemas.ProjectUpdate
) -> Project:
    project = await get(session, project_id)
    for field, value in data.model_dump(exclude_unset=True).items():
        if value is None and field in {"name", "provider"}:
            raise InvalidInput(f"{field} cannot be null", details=[{"field": field}])
        setattr(project, field, value)
    await session.flush()
    stage_event(session, _event("updated", project))
    return project


async def remove(session: AsyncSession, project_id: uuid.UUID) -> None:
    """Unregister; removes the project's rows and never touches files on disk."""
    project = await get(session, project_id)
    event = _event("deleted", project)
    await repo.remove(session, project_id)
    session.add(RemovedProject(path=project.path))  # the registry import must not re-add it
    session.expunge(project)
    stage_event(session, event)
