"""Steering a live run through its control files, and following up on what the runner did.

Pause, resume, stop, human input and the model switch write the files the runner honours at its
next iteration boundary; the follow-ups watch for its reaction (a paused state, a PAUSE it
deleted in perpetual mode, human input it accepted or rejected) and tell the user by event.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from loki_dashboard.errors import Conflict, NotFound, PayloadTooLarge
from loki_dashboard.loki import control_files
from loki_dashboard.loki.liveness import candidate_pids
from loki_dashboard.loki.process import ProcessIdentity, project_runner, terminate
from loki_dashboard.loki.run_folder import UnsafeRunFolder
from loki_dashboard.models import Log, Project, RunSession
from loki_dashboard.models.session import LIVE_SESSION_STATUSES
from loki_dashboard.realtime.events import DomainEvent, stage_event
from loki_dashboard.schemas.control import ControlResult
from loki_dashboard.services.logs import entry_event
from loki_dashboard.services.session_runner import spawned_process
from loki_dashboard.services.sessions import session_event

logger = logging.getLogger(__name__)
STOP_GRACE_SECONDS = 10.0


async def live_run(
    session: AsyncSession, session_id: uuid.UUID, *, steering: bool = False
) -> tuple[RunSession, Path]:
    """The session and its project's `.loki/` folder, refusing runs that are over. `steering`
    (pause, input, model): also refuse a run still starting, which deletes the control files it
    finds at its start, so what we wrote would be lost without a word."""
    run = await session.get(RunSession, session_id)
    if run is None:
        raise NotFound(f"session {session_id} not found")
    if run.status not in LIVE_SESSION_STATUSES:
        raise Conflict(
            f"session {session_id} is {run.status}; only a live run can be controlled",
            details={"status": run.status},
        )
    if steering and run.status == "starting":
        raise Conflict(
            "the run is still starting: it clears control files it finds at its start, so this "
            "would be lost; try again once it is running",
            details={"status": run.status},
        )
    project = await session.get(Project, run.project_id)
    assert project is not None  # the foreign key guarantees it
    return run, Path(project.path) / ".loki"


async def _note(session: AsyncSession, run: RunSession, message: str) -> None:
    """Record a control action in the session's own log, and show it live."""
    row = Log(project_id=run.project_id, session_id=run.id, level="info", source="dashboard",
              message=message)  # fmt: skip
    session.add(row)
    await session.flush()
    stage_event(session, entry_event(row))


async def _write(action: Callable[..., None], loki_dir: Path, *args: str) -> None:
    """Write a control file off the event loop; a `.loki` (or `state/`) that is a link or not
    a folder is a 409 naming it, and nothing is written."""
    try:
        await asyncio.to_thread(action, loki_dir, *args)
    except UnsafeRunFolder as exc:
        raise Conflict(str(exc), details={"path": str(exc.path)}) from None


def _event(kind: str, run: RunSession, **data: object) -> DomainEvent:
    return DomainEvent(
        f"control:{kind}",
        {"session_id": str(run.id), "project_id": str(run.project_id), **data},
        project_id=run.project_id,
        session_id=run.id,
    )


async def pause(session: AsyncSession, session_id: uuid.UUID) -> ControlResult:
    run, loki_dir = await live_run(session, session_id, steering=True)
    await _write(control_files.request_pause, loki_dir)
    await _note(session, run, "pause requested from the dashboard")
    stage_event(session, _event("pause_requested", run))
    return ControlResult(
        action="pause",
        status="requested",
        message="PAUSE written: the run pauses at its next iteration boundary. A run in "
        "perpetual mode (no PRD) deletes PAUSE and carries on; you will be told if that happens.",
    )


async def resume(session: AsyncSession, session_id: uuid.UUID) -> ControlResult:
    run, loki_dir = await live_run(session, session_id)
    await _write(control_files.clear_pause_and_stop, loki_dir)
    await _note(session, run, "resume requested from the dashboard")
    stage_event(session, _event("resume_requested", run))
    return ControlResult(
        action="resume", status="done", message="PAUSE and STOP removed; the run carries on."
    )


def runner_identity(run: RunSession, loki_dir: Path) -> ProcessIdentity | None:
    """The run's process, if there is one we may signal (blocking: reads /proc and pid files).

    The process this dashboard started for the session; else a pid from the run's pid files (or
    the row's pid, after a restart of the dashboard) whose process proves to be this project's
    Loki runner. A pid file can name any process: one that does not prove it is never signalled.
    """
    spawned = spawned_process(run.id)
    if spawned is not None:
        return spawned
    named = [pid for _, pid in candidate_pids(loki_dir)] + ([run.pid] if run.pid else [])
    for pid in dict.fromkeys(named):
        identity = project_runner(pid, loki_dir.parent)
        if identity is not None:
            return identity
    return None


async def stop(session: AsyncSession, session_id: uuid.UUID) -> ControlResult:
    """STOP first (a bare SIGTERM only pauses a run), then SIGTERM, then SIGKILL after a grace."""
    run, loki_dir = await live_run(session, session_id)
    await _write(control_files.request_stop, loki_dir)
    identity = await asyncio.to_thread(runner_identity, run, loki_dir)
    run.status = "stopping"
    await _note(session, run, "stop requested from the dashboard")  # flushes the status too
    stage_event(session, session_event("updated", run))
    stage_event(session, _event("stop_requested", run))
    if identity is None:
        return ControlResult(
            action="stop",
            status="requested",
            message="STOP written; no runner process of this project was found to signal, so "
            "the run stops at its next iteration boundary. A session with no process and no run "
            "is ended once the grace period has passed.",
        )
    task = asyncio.create_task(asyncio.to_thread(terminate, identity, STOP_GRACE_SECONDS))
    _background.add(task)
    task.add_done_callback(_background.discard)
    return ControlResult(
        action="stop",
        status="requested",
        message=f"STOP written and the runner (pid {identity.pid}) signalled; it is killed if "
        f"it has not ended in {STOP_GRACE_SECONDS:g} s.",
    )


async def send_input(session: AsyncSession, session_id: uuid.UUID, text: str) -> ControlResult:
    size = len(text.encode())
    if size > control_files.MAX_HUMAN_INPUT_BYTES:
        raise PayloadTooLarge(
            f"human input is {size:,} bytes; the runner takes at most 1 MiB (1,048,576 bytes)"
        )
    run, loki_dir = await live_run(session, session_id, steering=True)
    await _write(control_files.write_human_input, loki_dir, text)
    await _note(session, run, f"human input sent ({size:,} bytes): {text[:200]}")
    stage_event(session, _event("input_sent", run, bytes=size))
    return ControlResult(
        action="input",
        status="requested",
        message="HUMAN_INPUT.md written; the run reads it at its next iteration. It is used "
        "only when the run was started with LOKI_PROMPT_INJECTION=true; you will be told "
        "which happened.",
    )


async def switch_model(session: AsyncSession, session_id: uuid.UUID, model: str) -> ControlResult:
    run, loki_dir = await live_run(session, session_id, steering=True)
    if run.provider != "claude":
        raise Conflict(f"model switching needs the claude provider; this run uses {run.provider}")
    await _write(control_files.write_model_override, loki_dir, model)
    await _note(session, run, f"model switched to {model} from the dashboard")
    stage_event(session, _event("model_switched", run, model=model))
    return ControlResult(
        action="model", status="requested", message=f"The run uses {model} from its next step."
    )


# Background signal tasks, kept referenced until they finish.
_background: set[asyncio.Task[str]] = set()
