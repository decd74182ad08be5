"""Session control routes: pause, resume, stop, human input, model switch."""

from __future__ import annotations

import uuid
from pathlib import Path

from fastapi import APIRouter

from loki_dashboard.api.deps import AdminOnly, AuditDep, BusDep, DatabaseDep, SessionDep
from loki_dashboard.errors import Conflict, Forbidden, NotFound, PayloadTooLarge, error_responses
from loki_dashboard.models import RunSession
from loki_dashboard.schemas.control import ControlResult, HumanInput, ModelSwitch
from loki_dashboard.schemas.sessions import Session
from loki_dashboard.services import control as service
from loki_dashboard.services import control_followup as followup
from loki_dashboard.services import session_end

router = APIRouter(prefix="/sessions", tags=["control"])
_ERRORS = error_responses(NotFound, Conflict)


@router.post("/{session_id:uuid}/pause", response_model=ControlResult, responses=_ERRORS)
async def pause_session(
    session_id: uuid.UUID, session: SessionDep, database: DatabaseDep, bus: BusDep, audit: AuditDep
) -> ControlResult:
    """Ask the run to pause at its next iteration boundary."""
    result = await service.pause(session, session_id)
    audit("session.pause", session_id)
    run, loki_dir = await service.live_run(session, session_id)
    followup.follow_pause(database, bus, run.project_id, run.id, Path(loki_dir))
    return result


@router.post("/{session_id:uuid}/resume", response_model=ControlResult, responses=_ERRORS)
async def resume_session(
    session_id: uuid.UUID, session: SessionDep, audit: AuditDep
) -> ControlResult:
    """Let a paused or stopping run carry on."""
    result = await service.resume(session, session_id)
    audit("session.resume", session_id)
    return result


@router.post("/{session_id:uuid}/stop", response_model=ControlResult, responses=_ERRORS)
async def stop_session(
    session_id: uuid.UUID, session: SessionDep, database: DatabaseDep, bus: BusDep, audit: AuditDep
) -> ControlResult:
    """Stop the run: STOP, then SIGTERM, then SIGKILL after a grace period."""
    result = await service.stop(session, session_id)
    audit("session.stop", session_id)
    run, loki_dir = await service.live_run(session, session_id)
    after = service.STOP_GRACE_SECONDS + session_end.MARGIN_SECONDS
    session_end.end_when_abandoned(database, bus, run.id, loki_dir, after)
    return result


@router.post(
    "/{session_id:uuid}/end",
    response_model=Session,
    responses=error_responses(NotFound, Conflict, Forbidden),
    dependencies=[AdminOnly],
)
async def end_session(session_id: uuid.UUID, session: SessionDep, audit: AuditDep) -> RunSession:
    """End a live session's record without signalling anything (admin)."""
    run = await session_end.end_by_admin(session, session_id)
    audit("session.end", session_id, project_id=str(run.project_id))
    return run


@router.post(
    "/{session_id:uuid}/input",
    response_model=ControlResult,
    responses=error_responses(NotFound, Conflict, PayloadTooLarge),
)
async def send_human_input(
    session_id: uuid.UUID,
    data: HumanInput,
    session: SessionDep,
    database: DatabaseDep,
    bus: BusDep,
    audit: AuditDep,
) -> ControlResult:
    """Send human input to the run's next prompt (at most 1 MiB)."""
    result = await service.send_input(session, session_id, data.text)
    audit("session.input", session_id, bytes=len(data.text.encode()))
    run, loki_dir = await service.live_run(session, session_id)
    followup.follow_input(database, bus, run.project_id, run.id, loki_dir)
    return result


@router.post("/{session_id:uuid}/model", response_model=ControlResult, responses=_ERRORS)
async def switch_model(
    session_id: uuid.UUID, data: ModelSwitch, session: SessionDep
) -> ControlResult:
    """Switch the run's model (claude provider only)."""
    return await service.switch_model(session, session_id, data.model)
