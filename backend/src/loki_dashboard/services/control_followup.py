"""After a control action, watch the run's files for its answer and tell the user by event.

The runner answers on disk: PAUSE honoured shows as `autonomy-state.json` status "paused"; in
perpetual mode it deletes PAUSE instead; human input moves to `logs/human-input-<ts>.md` when used
and to `logs/human-input-REJECTED-<ts>.md` when prompt injection is off. Those files are read in
a worker thread, the way every run file is (a FIFO there must not stall the server).
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

from loki_dashboard.db.engine import Database
from loki_dashboard.db.session import session_scope
from loki_dashboard.loki import control_files
from loki_dashboard.loki.files import as_dict, read_json, stamp
from loki_dashboard.models import Log
from loki_dashboard.realtime.bus import EventBus
from loki_dashboard.realtime.events import DomainEvent, stage_event
from loki_dashboard.services.logs import entry_event

logger = logging.getLogger(__name__)
POLL_SECONDS = 0.25
FOLLOW_SECONDS = 600.0

_tasks: set[asyncio.Task[None]] = set()


def _autonomy_status(loki_dir: Path) -> str | None:
    status = as_dict(read_json(loki_dir / "autonomy-state.json").value).get("status")
    return status if isinstance(status, str) else None


def _pause_state(loki_dir: Path) -> tuple[str | None, bool]:
    """(autonomy status, whether PAUSE is still there), read together (blocking)."""
    return _autonomy_status(loki_dir), stamp(loki_dir / "PAUSE") is not None


async def _tell(
    database: Database,
    bus: EventBus,
    project_id: uuid.UUID,
    session_id: uuid.UUID,
    kind: str,
    message: str,
) -> None:
    async with session_scope(database.write_sessions, bus) as session:
        row = Log(project_id=project_id, session_id=session_id, level="info",
                  source="dashboard", message=message)  # fmt: skip
        session.add(row)
        await session.flush()
        stage_event(session, entry_event(row))
        stage_event(
            session,
            DomainEvent(
                f"control:{kind}",
                {"session_id": str(session_id), "project_id": str(project_id), "message": message},
                project_id=project_id,
                session_id=session_id,
            ),
        )


def _follow(check: Callable[[], Awaitable[bool]]) -> None:
    async def loop() -> None:
        deadline = time.monotonic() + FOLLOW_SECONDS
        try:
            while time.monotonic() < deadline and not await check():
                await asyncio.sleep(POLL_SECONDS)
        except Exception:
            logger.exception("control follow-up failed")

    task = asyncio.create_task(loop())
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


def follow_pause(
    database: Database, bus: EventBus, project_id: uuid.UUID, session_id: uuid.UUID, loki_dir: Path
) -> None:
    async def check() -> bool:
        status, pause_there = await asyncio.to_thread(_pause_state, loki_dir)
        if status == "paused":
            await _tell(database, bus, project_id, session_id, "paused", "the run paused")
            return True
        if not pause_there:
            if await asyncio.to_thread(_autonomy_status, loki_dir) == "paused":
                return False
            await _tell(
                database, bus, project_id, session_id, "pause_not_honoured",
                "the run deleted PAUSE and carried on (perpetual mode ignores pauses); "
                "stop it instead, or start it with a PRD to be able to pause",
            )  # fmt: skip
            return True
        return False

    _follow(check)


def follow_input(
    database: Database, bus: EventBus, project_id: uuid.UUID, session_id: uuid.UUID, loki_dir: Path
) -> None:
    sent = time.time()

    async def check() -> bool:
        outcome = await asyncio.to_thread(control_files.human_input_outcome, loki_dir, sent)
        if outcome == "accepted":
            await _tell(database, bus, project_id, session_id, "input_accepted",
                        "the run took the human input into its next prompt")  # fmt: skip
        elif outcome == "rejected":
            await _tell(database, bus, project_id, session_id, "input_rejected",
                        "the run rejected the human input: it was not started with "
                        "LOKI_PROMPT_INJECTION=true")  # fmt: skip
        return outcome is not None

    _follow(check)
