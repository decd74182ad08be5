"""Starting a run: the configured runner command, in the project folder, in its own process group.

The command is split into an argument list once and only then filled in ({prd}, {provider}), so
nothing from a request is ever parsed by a shell. The run's stdout and stderr become log lines
(source "runner"); its exit code ends the session (completed on 0, failed otherwise).
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import shlex
import shutil
import uuid
from pathlib import Path

from loki_dashboard.db.engine import Database
from loki_dashboard.db.session import session_scope
from loki_dashboard.db.types import utcnow
from loki_dashboard.errors import FailedDependency, InvalidInput
from loki_dashboard.loki.log_lines import parse_line
from loki_dashboard.loki.process import ProcessIdentity, identify, is_same
from loki_dashboard.models import Log, RunSession
from loki_dashboard.realtime.bus import EventBus
from loki_dashboard.realtime.events import DomainEvent, stage_event
from loki_dashboard.schemas.common import PROVIDER_PATTERN
from loki_dashboard.schemas.logs import LogEntry
from loki_dashboard.schemas.sessions import Session as SessionSchema

logger = logging.getLogger(__name__)
FLUSH_SECONDS = 0.1
MAX_LINE = 16 * 1024

_supervisors: set[asyncio.Task[None]] = set()
# The runner processes this dashboard started, by session, until they end: these (and their
# process groups, which they lead) may be signalled without further proof.
_spawned: dict[uuid.UUID, ProcessIdentity] = {}


def spawned_process(session_id: uuid.UUID) -> ProcessIdentity | None:
    """The process this dashboard started for the session, while it still runs (blocking)."""
    identity = _spawned.get(session_id)
    return identity if identity is not None and is_same(identity) else None


def is_supervised(session_id: uuid.UUID) -> bool:
    """Whether a process this dashboard started for the session has not been seen to end yet:
    its exit code ends the session."""
    return session_id in _spawned


_PLACEHOLDER = re.compile(r"\{(prd|provider)\}")


def runner_argv(template: str, *, prd: str | None, provider: str) -> list[str]:
    """The runner's argument list: `template` split like a shell would, then `{prd}` and
    `{provider}` filled in one pass (a PRD path that contains "{provider}" stays as it is).
    A `{prd}` argument is left out when there is no PRD."""
    if not re.fullmatch(PROVIDER_PATTERN, provider):
        raise InvalidInput(
            f"provider {provider!r} is not a provider name (lowercase letters, digits, - and _)",
            details=[{"field": "provider"}],
        )
    try:
        parts = shlex.split(template)
    except ValueError as exc:
        raise InvalidInput(f"runner command {template!r} cannot be split: {exc}") from None
    values = {"prd": prd or "", "provider": provider}
    argv = [
        _PLACEHOLDER.sub(lambda match: values[match.group(1)], part)
        for part in parts
        if not (part == "{prd}" and not prd)
    ]
    if not argv:
        raise InvalidInput("the runner command is empty; set LOKI_RUNNER_COMMAND")
    return argv


def resolve_executable(argv: list[str], cwd: Path) -> str:
    """The program to run, or a 424 that says how to get one."""
    program = argv[0]
    found = shutil.which(program, path=os.environ.get("PATH")) if "/" not in program else None
    if "/" in program:
        candidate = (cwd / program) if not os.path.isabs(program) else Path(program)
        found = str(candidate) if os.access(candidate, os.X_OK) else None
    if found is None:
        raise FailedDependency(
            f"the runner command '{program}' was not found on this machine: install Loki Mode so "
            "that `loki` is on the PATH of the dashboard, or set LOKI_RUNNER_COMMAND (or the "
            "project's config.runner_command) to the command that starts a run"
        )
    return found


async def spawn(argv: list[str], cwd: Path) -> asyncio.subprocess.Process:
    """The runner in a session of its own. `loki start` would otherwise `setsid` itself, and
    setsid forks when the caller already leads a process group: the process we spawned would
    exit at once while the run went on in a child we do not know (seen with the real runner).
    LOKI_NO_NEW_SESSION keeps it in the session made here, and LOKI_OWN_SESSION tells it that
    it owns that session, so it still records loki.pgid and reaps its own group at the end."""
    env = {
        **os.environ,
        "LOKI_PROMPT_INJECTION": "true",
        "LOKI_NO_NEW_SESSION": "1",
        "LOKI_OWN_SESSION": "1",
    }
    return await asyncio.create_subprocess_exec(
        *argv,
        cwd=cwd,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,
    )


def launch(
    database: Database, bus: EventBus, session_id: uuid.UUID, argv: list[str], cwd: Path
) -> None:
    """Spawn the runner once the session row is committed, then follow it to its end."""
    task = asyncio.create_task(_launch(database, bus, session_id, argv, cwd))
    _supervisors.add(task)
    task.add_done_callback(_supervisors.discard)


async def _wait_for_row(database: Database, session_id: uuid.UUID) -> bool:
    """The request commits the session row after answering; wait until it is there."""
    for _ in range(500):
        async with database.read_sessions() as session:
            if await session.get(RunSession, session_id) is not None:
                return True
        await asyncio.sleep(0.02)
    return False


async def _launch(
    database: Database, bus: EventBus, session_id: uuid.UUID, argv: list[str], cwd: Path
) -> None:
    if not await _wait_for_row(database, session_id):
        return
    try:
        process = await spawn(argv, cwd)
    except OSError as exc:
        await _store_lines(database, bus, session_id, [("error", f"runner did not start: {exc}")])
        await _finish(database, bus, session_id, 127)
        return
    identity = await asyncio.to_thread(identify, process.pid)
    if identity is not None:
        _spawned[session_id] = identity
    async with session_scope(database.write_sessions, bus) as session:
        run = await session.get(RunSession, session_id)
        if run is not None:
            # The pid of what we spawned, for the stop button; the run's own key and status
            # come from its files, once the watcher sees them (it takes this row then).
            run.pid = process.pid
            await session.flush()
            data = SessionSchema.model_validate(run).model_dump(mode="json")
            stage_event(
                session,
                DomainEvent("session:updated", data, project_id=run.project_id, session_id=run.id),
            )
    await _supervise(database, bus, session_id, process)


async def _supervise(
    database: Database,
    bus: EventBus,
    session_id: uuid.UUID,
    process: asyncio.subprocess.Process,
) -> None:
    lines: asyncio.Queue[tuple[str, str] | None] = asyncio.Queue()

    async def pump(stream: asyncio.StreamReader | None, level: str) -> None:
        if stream is None:
            return
        while raw := await stream.readline():
            text = raw.decode("utf-8", "replace").rstrip("\n")[:MAX_LINE]
            await lines.put((level, text))

    pumps = asyncio.gather(pump(process.stdout, "info"), pump(process.stderr, "warn"))
    pumps.add_done_callback(lambda _: lines.put_nowait(None))
    done = False
    while not done:
        batch: list[tuple[str, str]] = []
        item = await lines.get()
        if item is None:
            done = True
        else:
            batch.append(item)
            await asyncio.sleep(FLUSH_SECONDS)  # gather a burst into one transaction
            while not lines.empty():
                nxt = lines.get_nowait()
                if nxt is None:
                    done = True
                    break
                batch.append(nxt)
        if batch:
            await _store_lines(database, bus, session_id, batch)
    exit_code = await process.wait()
    _spawned.pop(session_id, None)
    await _finish(database, bus, session_id, exit_code)


async def _store_lines(
    database: Database, bus: EventBus, session_id: uuid.UUID, batch: list[tuple[str, str]]
) -> None:
    async with session_scope(database.write_sessions, bus) as session:
        run = await session.get(RunSession, session_id)
        if run is None:
            return
        rows = [_row(run, level, text) for level, text in batch]
        session.add_all(rows)
        await session.flush()
        for row in rows:
            data = LogEntry.model_validate(row).model_dump(mode="json")
            stage_event(
                session,
                DomainEvent("log:entry", data, project_id=run.project_id, session_id=session_id),
            )


def _row(run: RunSession, stream_level: str, text: str) -> Log:
    """A line the runner printed: its own level ([INFO], [WARN], [ERROR], [STEP]) when it
    says one, else its stream's (stdout info, stderr warn); colours kept in the raw copy."""
    line = parse_line(text)
    level = line.level if line.level != "info" or stream_level == "info" else stream_level
    return Log(
        project_id=run.project_id,
        session_id=run.id,
        level=level,
        source="runner",
        message=line.message,
        raw=line.raw if line.raw != line.message else None,
    )


async def _finish(database: Database, bus: EventBus, session_id: uuid.UUID, code: int) -> None:
    """The runner command exited. Once the run's files showed it (the watcher gave the row its
    run key), how it ended is theirs to say and only the exit code is kept here; a command that
    never showed a run in the files ends its session by its exit code."""
    async with session_scope(database.write_sessions, bus) as session:
        # Locked: a stop request still in its transaction (the runner may die before that
        # commits) must land first, so its "stopping" is read here and ends as "stopped".
        run = await session.get(RunSession, session_id, with_for_update=True)
        if run is None:
            return
        run.exit_code = code
        kind = "updated"
        if run.run_key is None:
            if run.status in ("stopping", "stopped"):
                run.status = "stopped"
            else:
                run.status = "completed" if code == 0 else "failed"
            run.ended_at = utcnow()
            kind = "completed" if run.status == "completed" else "stopped"
        await session.flush()
        data = SessionSchema.model_validate(run).model_dump(mode="json")
        stage_event(
            session,
            DomainEvent(f"session:{kind}", data, project_id=run.project_id, session_id=run.id),
        )
