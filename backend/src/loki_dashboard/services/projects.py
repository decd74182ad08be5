"""Registering, updating and removing projects."""

from __future__ import annotations

import asyncio
import os
import re
import uuid
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from loki_dashboard.errors import Conflict, Forbidden, InvalidInput, NotFound
from loki_dashboard.models import Project, RemovedProject
from loki_dashboard.realtime.events import DomainEvent, stage_event
from loki_dashboard.repositories import projects as repo
from loki_dashboard.schemas import projects as schemas
from loki_dashboard.services.git_info import read_git_info


def _event(kind: str, project: Project) -> DomainEvent:
    data = schemas.Project.model_validate(project).model_dump(mode="json")
    return DomainEvent(f"project:{kind}", data, project_id=project.id)


# Folders of the system itself: a project there would have the dashboard mirror and write into
# the machine's own files. Beneath the first group nothing is a project; the rest are refused
# only as themselves (a project may well live in /opt/app or /srv/site).
SYSTEM_TREES = tuple(Path(p) for p in ("/proc", "/sys", "/dev", "/etc", "/boot", "/run"))
SYSTEM_FOLDERS = frozenset(
    Path(p)
    for p in (
        "/ /bin /home /lib /lib32 /lib64 /libx32 /media /mnt /opt /root /sbin /srv /tmp /usr "
        "/usr/bin /usr/lib /usr/local /usr/local/bin /usr/sbin /usr/share /var /var/lib "
        "/var/log /var/tmp"
    ).split()
)
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def _refuse(message: str, raw: str) -> InvalidInput:
    return InvalidInput(message, details=[{"field": "path", "value": raw}])


def _home() -> Path | None:
    try:
        return Path.home().resolve()
    except (RuntimeError, OSError):
        return None


def _refusal(folder: Path, loki_home: Path) -> str | None:
    """Why `folder` (resolved) cannot be a project, or None."""
    if folder in SYSTEM_FOLDERS or any(folder.is_relative_to(t) for t in SYSTEM_TREES):
        return f"{folder} is a system folder, not a project; register the project's own folder"
    if folder == _home():
        return f"{folder} is your home folder, not a project; register the project's own folder"
    if folder == loki_home:
        return f"{folder} is LOKI_HOME, the dashboard's own folder, not a project"
    if loki_home.is_relative_to(folder):
        # Its .loki would be (or hold) the dashboard's own: it would mirror its own log and
        # write control files into its home.
        return (
            f"{folder} holds LOKI_HOME ({loki_home}), the dashboard's own folder; register "
            "the project's own folder"
        )
    return None


def resolve_project_path(raw: str, *, loki_home: Path) -> Path:
    """Normalise a user-given path and refuse what cannot be a project folder."""
    if _CONTROL_CHARACTERS.search(raw):
        raise _refuse(
            "path contains a control character (a newline, a tab, NUL…); give the folder's "
            "path on one line",
            raw,
        )
    try:
        candidate = Path(raw).expanduser()
    except RuntimeError:  # "~someone" for a user that does not exist
        raise _refuse(f"cannot expand '{raw}': no such user", raw) from None
    if not candidate.is_absolute():
        raise _refuse(f"path must be absolute, got '{raw}'", raw)
    try:
        resolved = candidate.resolve(strict=True)
    except (FileNotFoundError, NotADirectoryError):
        raise _refuse(f"no such folder: {candidate}", raw) from None
    except (OSError, RuntimeError) as exc:  # permission denied, symlink loops
        raise _refuse(f"cannot open {candidate}: {exc}", raw) from None
    if not resolved.is_dir():
        raise _refuse(f"not a folder: {resolved}", raw)
    refusal = _refusal(resolved, loki_home.resolve())
    if refusal is not None:
        raise _refuse(refusal, raw)
    return resolved


def runner_command_of(config: dict[str, Any] | None) -> object:
    """The runner command a project's config chooses (None: the operator's default)."""
    return (config or {}).get("runner_command")


def check_runner_command(config: dict[str, Any] | None, allowed: Collection[str]) -> None:
    """A project may only choose one of the runner commands the operator configured."""
    chosen = runner_command_of(config)
    if chosen is None or (isinstance(chosen, str) and chosen in allowed):
        return
    listed = "; ".join(repr(command) for command in allowed)
    raise InvalidInput(
        "config.runner_command must be one of the runner commands this server allows "
        f"(LOKI_RUNNER_COMMAND and LOKI_RUNNER_COMMANDS): {listed}",
        details=[{"field": "config.runner_command", "allowed": list(allowed)}],
    )


async def get(session: AsyncSession, project_id: uuid.UUID) -> Project:
    project = await repo.get(session, project_id)
    if project is None:
        raise NotFound(f"project {project_id} not found")
    return project


async def list_all(session: AsyncSession) -> Sequence[Project]:
    return await repo.list_all(session)


async def register(
    session: AsyncSession,
    data: schemas.ProjectCreate,
    *,
    loki_home: Path,
    allowed_runners: Collection[str] = (),
) -> Project:
    """Register a folder as a project; git remote and branch are read from it when it is a repo.

    `allowed_runners`: the runner commands its config may choose (none unless given)."""
    check_runner_command(data.config, allowed_runners)
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
    session: AsyncSession,
    project_id: uuid.UUID,
    data: schemas.ProjectUpdate,
    *,
    allowed_runners: Collection[str],
    may_choose_runner: bool,
) -> Project:
    """Change the given fields; choosing a different runner command needs `may_choose_runner`
    (admin scope) and one of `allowed_runners`."""
    project = await get(session, project_id)
    if "config" in data.model_fields_set:
        chosen = runner_command_of(data.config)
        if chosen is not None and chosen != runner_command_of(project.config):
            if not may_choose_runner:
                raise Forbidden("changing config.runner_command needs an admin token")
            check_runner_command(data.config, allowed_runners)
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
