"""Ending a session that nothing else will end: a stop no process and no run answered, or an
admin clearing a record by hand.

A run ends its session through its own files (the watcher) or its exit code (a run this
dashboard started). A session recorded with `start: false` whose run never appeared has neither:
stopped, it would stay "stopping" for ever and block every new session of its project.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from loki_dashboard.db.engine import Database
from loki_dashboard.db.session import session_scope
from loki_dashboard.db.types import utcnow
from loki_dashboard.errors import Conflict, NotFound
from loki_dashboard.loki.liveness import run_status
from loki_dashboard.models import Log, RunSession
from loki_dashboard.models.session import LIVE_SESSION_STATUSES
from loki_dashboard.realtime.bus import EventBus
from loki_dashboard.realtime.events import stage_event
from loki_dashboard.services.control import runner_identity
from loki_dashboard.services.logs import entry_event
from loki_dashboard.services.session_runner import is_supervised
from loki_dashboard.services.sessions import session_event

logger = logging.getLogger(__name__)
# Checked this long after a stop's grace: the runner's own end (or our SIGKILL) comes first.
MARGIN_SECONDS = 2.0
_pending: set[asyncio.Task[None]] = set()


async def close(session: AsyncSession, run: RunSession, note: str) -> None:
    """Mark `run` stopped now, say why in its log, and tell open screens."""
    run.status, run.ended_at = "stopped", utcnow()
    row = Log(
        project_id=run.project_id, session_id=run.id, level="warn", source="dashboard", message=note
    )
    session.add(row)
    await session.flush()
    stage_event(session, entry_event(row))
    stage_event(session, session_event("stopped", run))


async def end_by_admin(session: AsyncSession, session_id: uuid.UUID) -> RunSession:
    """End a live session's record without signalling anything."""
    run = await session.get(RunSession, session_id, with_for_update=True)
    if run is None:
        raise NotFound(f"session {session_id} not found")
    if run.status not in LIVE_SESSION_STATUSES:
        raise Conflict(
            f"session {session_id} has already ended ({run.status})",
            details={"status": run.status},
        )
    await close(
        session,
        run,
        f"ended by an admin from the dashboard (it was {run.status}); no process was "
        "signalled, and a run that is still alive shows up again from its files",
    )
    return run


def _nothing_answers(run: RunSession, loki_dir: Path) -> bool:
    """No process of the run we could signal, and no live run in its files (blocking)."""
    return runner_identity(run, loki_dir) is None and not run_status(loki_dir).alive


def end_when_abandoned(
    database: Database, bus: EventBus, session_id: uuid.UUID, loki_dir: Path, after: float
) -> None:
    """In `after` seconds, end the session if it is still stopping and nothing answers for it."""

    async def check() -> None:
        await asyncio.sleep(after)
        async with session_scope(database.write_sessions, bus) as session:
            run = await session.get(RunSession, session_id, with_for_update=True)
            if run is None or run.status != "stopping" or is_supervised(session_id):
                return  # ended meanwhile, or our own process's exit will end it
            if not await asyncio.to_thread(_nothing_answers, run, loki_dir):
                return  # the run's files or its process will end it
            await close(
                session,
                run,
                f"ended: no process and no run answered the stop within {after:g} s",
            )

    task = asyncio.create_task(check(), name=f"end-abandoned-{session_id}")
    _pending.add(task)
    task.add_done_callback(_pending.discard)
