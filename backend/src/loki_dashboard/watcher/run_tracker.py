"""One project's current run: its files → `RunFacts` (loki.run_facts) → its session row.

The tracker reads what the sync's file index brought back, asks whether the run's process lives
(in a worker thread: pid files and /proc), derives the facts, and ties the run to its session
by one rule: a run already known by its key keeps its row; a new run takes the row the dashboard
recorded for it (a start, or `start: false`) if there is one, else gets a new row. It also says
which session a dated log line or event belongs to, so nothing of an earlier run is filed under
the current one.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from loki_dashboard.db.types import utcnow
from loki_dashboard.loki.control_files import read_human_inputs, read_signals
from loki_dashboard.loki.liveness import RunStatus, run_status, session_json_alive
from loki_dashboard.loki.metrics import (
    IterationCost,
    read_iteration_costs,
    read_tracking,
)
from loki_dashboard.loki.process import start_ticks
from loki_dashboard.loki.quality import read_quality
from loki_dashboard.loki.run_events import RunEvents
from loki_dashboard.loki.run_facts import SLACK, Liveness, RunFacts, RunFiles, derive
from loki_dashboard.loki.run_files import (
    ACTIVITY_GLOBS,
    JSON_INPUTS,
    SESSION_INPUTS,
    TEXT_INPUTS,
    assemble,
)
from loki_dashboard.loki.run_state import read_provider
from loki_dashboard.models.session import LIVE_SESSION_STATUSES
from loki_dashboard.watcher.file_index import FileIndex
from loki_dashboard.watcher.sync_agents import agents_job
from loki_dashboard.watcher.sync_session import RunView, claimable_session, session_job
from loki_dashboard.watcher.writer import DbWriter

logger = logging.getLogger(__name__)

# Further inputs (pid files, per-session state), looked up among the files known.
SESSION_INPUT_GLOBS = ("pids/*.json", "run-*.pid", "sessions/*/loki.pid", "sessions/*/*.json")


@dataclass
class Extras:
    """The many small files read together in one worker hop when the metrics change."""

    iterations: list[IterationCost]
    tracking: dict[str, Any] | None
    quality: dict[str, Any]
    provider: str | None
    human_inputs: list[tuple[str, datetime]]


def read_extras(loki_dir: Path) -> Extras:
    quality = read_quality(loki_dir)
    signals = read_signals(loki_dir)
    if signals:
        quality["signals"] = signals
    return Extras(
        iterations=read_iteration_costs(loki_dir),
        tracking=read_tracking(loki_dir),
        quality=quality,
        provider=read_provider(loki_dir),
        human_inputs=read_human_inputs(loki_dir),
    )


class RunTracker:
    def __init__(
        self,
        project_id: uuid.UUID,
        loki_dir: Path,
        writer: DbWriter,
        *,
        provider: str,
        known: RunView | None,
        events: RunEvents | None = None,
    ) -> None:
        self.project_id = project_id
        self.loki_dir = loki_dir
        self.writer = writer
        self.provider = provider
        self.view = known
        self.previous: RunView | None = None
        self.events = events or RunEvents()
        # What the log says of the current step: {"rarv": (stage, at), "model": (name, at)}.
        self.stage: dict[str, tuple[str, datetime]] = {}
        self.extras: Extras | None = None
        self.memory: dict[str, int] | None = None
        self.persisted: set[uuid.UUID] = {known.session_id} if known is not None else set()
        # What proved the run alive at the last sync: (pid, start ticks) of its process, or its
        # session.json heartbeat; re-checked every few seconds (a dead run writes no file).
        self._live_process: tuple[int, int] | None = None
        self._heartbeat = False
        self.reason = ""

    @property
    def session_id(self) -> uuid.UUID | None:
        return self.view.session_id if self.view is not None else None

    def session_for(self, at: datetime | None) -> uuid.UUID | None:
        """The session a line written at `at` belongs to: the current run's from its start on,
        the run before's within its own span, none for anything older."""
        view = self.view
        if view is None:
            return None
        if at is None or at >= view.started_at - SLACK:
            return view.session_id
        previous = self.previous
        if previous is not None and at >= previous.started_at - SLACK:
            return previous.session_id
        return None

    def inputs(self, index: FileIndex) -> set[str]:
        """Every file a session sync looks at, for the sync's worker hop."""
        found = set(SESSION_INPUTS)
        for pattern in (*SESSION_INPUT_GLOBS, *ACTIVITY_GLOBS):
            found.update(index.present(pattern))
        return found

    def liveness_lapsed(self) -> bool:
        """Whether the live run may have died without a file saying so: its process is gone or
        another took its pid, or its heartbeat went stale. One /proc read per run."""
        if self.view is None or self.view.status not in LIVE_SESSION_STATUSES:
            return False
        if self.view.status == "starting":
            return True  # no process to watch yet: look again at every check
        if self._live_process is not None:
            pid, ticks = self._live_process
            return start_ticks(pid) != ticks
        if self._heartbeat:
            return not session_json_alive(self.loki_dir, datetime.now(UTC))
        return False

    async def sync(self, index: FileIndex, *, read_extras_now: bool) -> bool:
        """Derive the run's facts from `index` and write them if they changed; False when the
        folder shows no run at all."""
        files = await self._files(index)
        present = index.present("*")  # fnmatch's * spans folders: every file known
        status = await asyncio.to_thread(
            run_status, self.loki_dir, autonomy=files.autonomy, present=present
        )
        self.reason = status.reason
        self._remember_liveness(status)
        if not self._has_run(files, status, index):
            return False
        if read_extras_now or self.extras is None:
            self.extras = await asyncio.to_thread(read_extras, self.loki_dir)
        files = replace(
            files,
            iterations=self.extras.iterations,
            tracking=self.extras.tracking,
            human_inputs=self.extras.human_inputs,
            pid_files=status.pids,
        )
        live = Liveness(status.alive, status.pid, now=datetime.now(UTC))
        facts = self._note_ignored_pause(derive(files, live))
        await self._write(facts, files)
        return True

    async def _files(self, index: FileIndex) -> RunFiles:
        values: dict[str, Any] = {}
        for rel in JSON_INPUTS:
            value, _ = await index.json(rel)
            if value is not None:
                values[rel] = value
        autonomy, newest = None, None
        if "autonomy-state.json" not in values:
            newest = index.newest(index.present("sessions/*/autonomy-state.json"))
            if newest is not None:
                autonomy, _ = await index.json(newest)
        texts = {rel: await index.text(rel) for rel in TEXT_INPUTS}
        mtimes = {rel: at for rel in self._dated(index) if (at := index.mtime(rel)) is not None}
        if autonomy is not None and newest is not None and (at := index.mtime(newest)):
            mtimes["autonomy-state.json"] = at  # the per-session copy stands in for it
        return assemble(values, texts, mtimes, self.events, autonomy=autonomy)

    def _dated(self, index: FileIndex) -> list[str]:
        """The files whose times the facts read."""
        return [*SESSION_INPUTS, *(rel for g in ACTIVITY_GLOBS for rel in index.present(g))]

    def _note_ignored_pause(self, facts: RunFacts) -> RunFacts:
        """A pause that was requested and then vanished while the run went on was ignored (a
        perpetual run deletes PAUSE): say so until the run pauses, is asked again, or ends."""
        known = self.view
        asked = known is not None and known.snapshot.get("pause") in ("requested", "ignored")
        same = known is not None and known.run_key == facts.run_key
        # Only a perpetual run deletes PAUSE itself; in a PRD run, someone took it back.
        gone = facts.status == "running" and facts.pause is None and facts.perpetual
        if asked and same and gone:
            return replace(
                facts,
                pause="ignored",
                summary="Pause ignored: a run without a PRD (perpetual mode) deletes PAUSE and "
                "goes on. Stop it instead, or start it with a PRD to be able to pause.",
            )
        return facts

    def _has_run(self, files: RunFiles, status: RunStatus, index: FileIndex) -> bool:
        """Whether the folder shows any run at all (an empty or foreign `.loki/` does not)."""
        return bool(
            status.alive
            or status.pids
            or files.autonomy is not None
            or files.state is not None
            or files.records
            or index.stamp_of("loki.pid") is not None
            or index.stamp_of("session.json") is not None
            or self.events.started_at is not None
        )

    def _remember_liveness(self, status: RunStatus) -> None:
        self._heartbeat = status.alive and status.pid is None
        if not (status.alive and status.pid):
            self._live_process = None
            return
        ticks = start_ticks(status.pid)
        # Gone already (-1 never matches): the next liveness check syncs again.
        self._live_process = (status.pid, -1 if ticks is None else ticks)

    # -- facts → row ---------------------------------------------------------------------

    async def _write(self, facts: RunFacts, files: RunFiles) -> None:
        known = self.view
        same_run = known is not None and (
            known.run_key in (facts.run_key, "")
            # A row keyed the old way (by pid) for the run now keyed by its start.
            or (known.pid is not None and known.pid == facts.pid)
        )
        if same_run and known is not None:
            session_id = known.session_id
        else:
            session_id = await self._session_for_new_run(facts)
        started = facts.started_at or (known.started_at if same_run and known else None)
        view = RunView(
            session_id=session_id,
            run_key=facts.run_key,
            status=facts.status,
            phase=facts.phase,
            iteration=facts.iteration,
            provider=self._provider(files, facts),
            pid=facts.pid,
            prd_path=facts.prd_path,
            exit_code=facts.exit_code,
            started_at=started or utcnow(),  # only when the files carry no time at all
            ended_at=facts.ended_at,
            outcome=facts.outcome,
            summary=facts.summary,
            last_activity_at=facts.last_activity_at,
            cost_usd=facts.tokens["cost_usd"] if facts.tokens else None,
            input_tokens=facts.tokens["input"] if facts.tokens else None,
            output_tokens=facts.tokens["output"] if facts.tokens else None,
            snapshot=self._snapshot(facts, files),
        )
        if view == known:
            return
        if not same_run and known is not None:
            self._end_replaced(known)
        self.view = view
        new = session_id not in self.persisted
        self.persisted.add(session_id)
        job = session_job(self.project_id, view, new=new)
        self.writer.submit(job, on_failure=lambda: self._unwritten(view, known))
        if (
            known is not None
            and known.status in LIVE_SESSION_STATUSES
            and (not same_run or view.status not in LIVE_SESSION_STATUSES)
        ):
            # The run ended, or a new one replaced it: its agents are over too.
            ended = agents_job(self.project_id, known.session_id, [], end_missing=True)
            self.writer.submit(ended)

    async def _session_for_new_run(self, facts: RunFacts) -> uuid.UUID:
        """A run new to us takes the row recorded for it through the API, if any."""
        claimed = await claimable_session(self.writer.database, self.project_id, facts.started_at)
        if claimed is None:
            return uuid.uuid4()
        self.persisted.add(claimed)  # its row exists: the job updates it
        return claimed

    def _end_replaced(self, known: RunView) -> None:
        """A new run began while the one before still looked live: that one is over, and its
        end was never recorded. It ended no later than its last write."""
        self.previous = known
        if known.status not in LIVE_SESSION_STATUSES:
            return
        ended = replace(
            known,
            status="stopped",
            outcome="died",
            summary="Ended before the next run began; its end was not recorded.",
            ended_at=known.last_activity_at or known.started_at,
        )
        self.previous = ended
        self.writer.submit(session_job(self.project_id, ended))

    def _unwritten(self, view: RunView, previous: RunView | None) -> None:
        if self.view is view:  # not overtaken by a newer view, which writes the whole row
            self.view = previous

    def _provider(self, files: RunFiles, facts: RunFacts) -> str:
        extras = self.extras.provider if self.extras else None
        state = files.state.provider if files.state else None
        return (extras or facts.provider or state or self.provider)[:32]

    def _snapshot(self, facts: RunFacts, files: RunFiles) -> dict[str, Any]:
        snapshot: dict[str, Any] = dict(files.state.snapshot) if files.state else {}
        if self.extras is not None:
            snapshot.update(self.extras.quality)  # the files themselves beat dashboard-state's
        if self.memory is not None:
            snapshot["memory"] = self.memory
        if facts.tokens:
            snapshot["tokens"] = facts.tokens
        snapshot["alive"] = facts.status in LIVE_SESSION_STATUSES
        snapshot["liveness"] = self.reason
        if files.autonomy and files.autonomy.status:
            snapshot["autonomy_status"] = files.autonomy.status
        if facts.pause:
            snapshot["pause"] = facts.pause
        if facts.error:
            snapshot["error"] = facts.error
        if facts.human_input is not None:
            outcome, at = facts.human_input
            snapshot["human_input"] = {"outcome": outcome, "at": at.isoformat()}
            # A rejection means the run was started without prompt injection: it takes none.
            snapshot["accepts_input"] = outcome != "rejected"
        if facts.needs_person:
            snapshot["needs_person"] = True
        if facts.phases:
            snapshot["phases"] = [
                {"phase": phase, "at": at.isoformat() if at else None} for phase, at in facts.phases
            ]
        started = facts.started_at
        for key, field_name in (("rarv", "stage"), ("model", "name")):
            said = self.stage.get(key)
            if said is not None and (started is None or said[1] >= started - SLACK):
                snapshot[key] = {field_name: said[0], "at": said[1].isoformat()}
        return snapshot
