"""Run sessions: listing, reading and recording them."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from loki_dashboard.db.engine import Database
from loki_dashboard.errors import Conflict, NotFound
from loki_dashboard.models import RunSession
from loki_dashboard.realtime.bus import EventBus
from loki_dashboard.realtime.events import DomainEvent, stage_event
from loki_dashboard.repositories import projects as projects_repo
from loki_dashboard.repositories import sessions as repo
from loki_dashboard.schemas import sessions as schemas
from loki_dashboard.services import projects as projects_service
from loki_dashboard.services import session_runner as runner
from loki_dashboard.services.cursors import decode_cursor, encode_cursor, invalid_cursor
from loki_dashboard.services.prd_files import resolve_prd


def session_event(kind: str, run: RunSession) -> DomainEvent:
    """`session:<kind>` carrying the session as the API shows it."""
    data = schemas.Session.model_validate(run).model_dump(mode="json")
    return DomainEvent(f"session:{kind}", data, project_id=run.project_id, session_id=run.id)


def _decode(cursor: str) -> tuple[datetime, uuid.UUID]:
    started, session_id = decode_cursor(cursor, str, str)
    try:
        return datetime.fromisoformat(started), uuid.UUID(session_id)
    except ValueError:
        raise invalid_cursor() from None


async def list_page(
    session: AsyncSession,
    *,
    project_id: uuid.UUID | None,
    statuses: Sequence[str],
    cursor: str | None,
    limit: int,
) -> tuple[Sequence[RunSession], str | None]:
    before = _decode(cursor) if cursor else None
    items = await repo.list_page(
        session, project_id=project_id, statuses=statuses, before=before, limit=limit + 1
    )
    if len(items) <= limit:
        return items, None
    last = items[limit - 1]
    return items[:limit], encode_cursor(last.started_at.isoformat(), str(last.id))


async def get(session: AsyncSession, session_id: uuid.UUID) -> RunSession:
    run = await repo.get(session, session_id)
    if run is None:
        raise NotFound(f"session {session_id} not found")
    return run


def _shown(prd: Path, folder: Path) -> str:
    """The PRD as the user sees it: relative to the project folder."""
    try:
        return prd.relative_to(folder.resolve()).as_posix()
    except ValueError:
        return str(prd)


async def create(
    session: AsyncSession,
    data: schemas.SessionCreate,
    *,
    runner_commands: Sequence[str],
    database: Database | None = None,
    bus: EventBus | None = None,
) -> RunSession:
    """Start a run (or, with start=false, record one); a project runs one session at a time.

    `runner_commands`: the commands this server allows, the default first; a project's
    config.runner_command must still be one of them."""
    project = await projects_service.get(session, data.project_id)
    await projects_repo.lock(session, project.id)  # two creates must not both pass the check
    live = await repo.live_for_project(session, project.id)
    if live is not None:
        raise Conflict(
            f"project '{project.name}' already has a live session ({live.status}); "
            "stop it before starting another",
            details={"session_id": str(live.id)},
        )
    folder = Path(project.path)
    prd = None
    if data.start and data.prd_path is not None:
        prd = await asyncio.to_thread(resolve_prd, folder, data.prd_path)
    run = RunSession(
        project_id=project.id,
        prd_path=_shown(prd, folder) if prd is not None else data.prd_path,
        provider=data.provider or project.provider,
        config=data.config,
        status="starting",
    )
    if data.start:
        template = projects_service.runner_command_of(project.config) or runner_commands[0]
        if template not in runner_commands:
            raise Conflict(
                f"project '{project.name}' chooses a runner command this server no longer "
                "allows; an admin must set its config.runner_command to one listed in "
                "LOKI_RUNNER_COMMANDS (or remove it to use LOKI_RUNNER_COMMAND)",
                details={"runner_command": str(template)},
            )
        argv = runner.runner_argv(
            str(template), prd=str(prd) if prd else None, provider=run.provider
        )
        # 424 now, not a failed run later.
        await asyncio.to_thread(runner.resolve_executable, argv, folder)
    session.add(run)
    await session.flush()
    # The run that then shows up in the files takes this row (watcher.sync_session).
    stage_event(session, session_event("started", run))
    if data.start and database is not None and bus is not None:
        runner.launch(database, bus, run.id, argv, folder)  # once this row is committed
    return run
