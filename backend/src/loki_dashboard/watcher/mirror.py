"""One project's mirror: turns changed `.loki/` files into database jobs for the writer.

It keeps, per file, the last stamp, content digest and last good value, so a rewrite with the
same content, or a file caught half-written, changes nothing. Syncs of one project never run
concurrently: changes that arrive during a sync are folded into the next one.
"""

from __future__ import annotations

import asyncio
import fnmatch
import functools
import logging
import os
import time
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from loki_dashboard.db.types import utcnow
from loki_dashboard.loki.agents import AgentEntry, parse_agents
from loki_dashboard.loki.control_files import read_signals
from loki_dashboard.loki.dashboard_state import parse_dashboard_state
from loki_dashboard.loki.events_log import LokiEvent, parse_event_line
from loki_dashboard.loki.files import (
    ReadStatus,
    Stamp,
    is_ignored_name,
    parse_json_bytes,
    read_bytes,
    stamp,
)
from loki_dashboard.loki.key_blocks import KeyBlocks
from loki_dashboard.loki.liveness import run_status, session_json_alive
from loki_dashboard.loki.log_lines import parse_line, redact, redact_data
from loki_dashboard.loki.memory import count_memory
from loki_dashboard.loki.metrics import read_token_totals
from loki_dashboard.loki.process import start_ticks
from loki_dashboard.loki.quality import read_quality
from loki_dashboard.loki.queue import (
    CURRENT_TASK_FILE,
    QUEUE_FILES,
    QueueTask,
    merge,
    parse_current_task,
    parse_group,
)
from loki_dashboard.loki.run_state import (
    parse_autonomy_state,
    parse_orchestrator,
    read_provider,
)
from loki_dashboard.loki.safe_open import glob_files, is_real_dir, kind_of, report
from loki_dashboard.loki.tail import Cursor, TailRead, read_new_lines
from loki_dashboard.models.session import LIVE_SESSION_STATUSES
from loki_dashboard.watcher import classify as kinds
from loki_dashboard.watcher.settled import read_json_settled
from loki_dashboard.watcher.sync_agents import agents_job
from loki_dashboard.watcher.sync_logs import log_rows, logs_job
from loki_dashboard.watcher.sync_session import RunView, recorded_session, session_job
from loki_dashboard.watcher.sync_tasks import task_fields, tasks_job
from loki_dashboard.watcher.writer import DbWriter

logger = logging.getLogger(__name__)

# Files whose stamps the reconciliation scan compares (globs inside `.loki/`).
SCAN_GLOBS = (
    "*",
    "queue/*.json",
    "state/*",
    "logs/*.log",
    "pids/*.json",
    "sessions/*/*",
    "metrics/efficiency/*.json",
    "context/tracking.json",
    "council/state.json",
    "checklist/verification-results.json",
    "quality/*",
    "signals/*",
    "memory/*",
    "memory/*/*",  # episodic/<day>/: its stamp changes when an episode is added
)
Line = tuple[str, str, str, datetime | None, dict[str, Any] | None]
# A full sync reads JSON files up to this size in its first pass (bigger ones: off-loop reads).
PREFETCH_BYTES = 256 * 1024
_PREFETCHED = ("autonomy-state.json", "dashboard-state.json", "state/orchestrator.json",
               "state/agents.json", "queue/*.json")  # fmt: skip


# Where _read_extras reads tokens, quality gates, signals and the provider from.
_EXTRAS_FOLDERS = (
    "metrics/", "context/", "quality/", "council/", "checklist/", "signals/", "state/provider",
)  # fmt: skip


def _prefetched_kind(rel: str) -> bool:
    """Whether a full sync parses this file itself (logs and metrics are read elsewhere)."""
    return any(fnmatch.fnmatchcase(rel, pattern) for pattern in _PREFETCHED)


def _glob_entries(
    root: str, pattern: str, listings: dict[str, list[os.DirEntry[str]]]
) -> list[tuple[str, os.DirEntry[str]]]:
    """(relative path, entry) of the files under `root` matching a `/`-separated glob whose
    segments may hold wildcards (no `**`). `listings` caches each folder's `os.scandir`, so
    the patterns of one scan list every folder once. Links are neither entered nor listed: a
    run's files are regular files in real folders (see loki/safe_open.py)."""
    folders: list[tuple[str, str]] = [("", root)]
    segments = pattern.split("/")
    for depth, segment in enumerate(segments):
        last = depth == len(segments) - 1
        literal = not any(c in segment for c in "*?[")
        found: list[tuple[str, os.DirEntry[str]]] = []
        for prefix, folder in folders:
            for entry in _listing(folder, listings):
                name = entry.name
                if not (name == segment if literal else fnmatch.fnmatchcase(name, segment)):
                    continue
                if (
                    entry.is_file(follow_symlinks=False)
                    if last
                    else entry.is_dir(follow_symlinks=False)
                ):
                    found.append((prefix + name, entry))
                elif not (
                    entry.is_file(follow_symlinks=False) or entry.is_dir(follow_symlinks=False)
                ):
                    _report_special(entry)
        if last:
            return found
        folders = [(rel + "/", entry.path) for rel, entry in found]
    return []


def _report_special(entry: os.DirEntry[str]) -> None:
    """A FIFO, socket, device or link where a run's file or folder could be: logged once."""
    if is_ignored_name(entry.name):
        return
    try:
        report(entry.path, kind_of(entry.stat(follow_symlinks=False).st_mode))
    except OSError:
        pass


def _listing(folder: str, listings: dict[str, list[os.DirEntry[str]]]) -> list[os.DirEntry[str]]:
    entries = listings.get(folder)
    if entries is None:
        try:
            with os.scandir(folder) as found:
                entries = list(found)
        except OSError:
            entries = []
        listings[folder] = entries
    return entries


# Memory folders are counted at most this often (an agent writes many episodes at once).
MEMORY_COUNT_SECONDS = 5.0
# After a failed database write, the project is synced again this much later.
RETRY_SECONDS = 2.0
# How long a dashboard-started run may take to show up in its files.
EXPECT_SECONDS = 60.0


@dataclass
class EventFacts:
    """What `events.jsonl` told us about the current run."""

    phase: str | None = None
    iteration: int | None = None
    session_started: datetime | None = None


@dataclass
class ProjectMirror:
    project_id: uuid.UUID
    path: Path
    writer: DbWriter
    known_view: RunView | None = None
    known_tasks: dict[str, dict[str, Any]] = field(default_factory=dict)
    watch_state: dict[str, Any] | None = None
    provider: str = "claude"
    _good: dict[str, Any] = field(default_factory=dict)
    _digest: dict[str, str] = field(default_factory=dict)
    _stamps: dict[str, Stamp] = field(default_factory=dict)
    _warned: set[str] = field(default_factory=set)
    _pending: set[str] = field(default_factory=set)
    _full: bool = False
    _task: asyncio.Task[None] | None = None
    _persisted: set[uuid.UUID] = field(default_factory=set)
    _sent_agents: list[AgentEntry] | None = None
    _view: RunView | None = None
    _expected: tuple[uuid.UUID, float] | None = None
    _tokens: dict[str, Any] | None = None
    _quality: dict[str, Any] = field(default_factory=dict)
    _run_provider: str | None = None
    _memory: dict[str, int] | None = None
    _memory_counted: float = -MEMORY_COUNT_SECONDS
    _memory_timer: asyncio.TimerHandle | None = None
    _retry_timer: asyncio.TimerHandle | None = None
    _events: EventFacts = field(default_factory=EventFacts)
    _cursors: dict[str, Cursor] = field(default_factory=dict)
    # Per tailed log: whether its lines are inside a private key (hidden whole).
    _key_blocks: dict[str, KeyBlocks] = field(default_factory=dict)
    # During a full sync: what its first pass found, {rel: (stamp, bytes of a small JSON file)}.
    _fetched: dict[str, tuple[Stamp, bytes | None]] | None = None
    # What proved the run alive at the last sync: (pid, start ticks) of its process, or its
    # session.json heartbeat; re-checked every few seconds (a dead run writes no file).
    _live_process: tuple[int, int] | None = None
    _heartbeat: bool = False
    syncs: int = 0

    def __post_init__(self) -> None:
        self._view = self.known_view
        if self.known_view is not None:
            self._persisted.add(self.known_view.session_id)
        saved = (self.watch_state or {}).get("cursors", {})
        for rel, value in saved.items() if isinstance(saved, dict) else []:
            if isinstance(value, list) and len(value) == 3:
                self._cursors[rel] = Cursor(int(value[0]), int(value[1]), bytes.fromhex(value[2]))

    @functools.cached_property
    def loki_dir(self) -> Path:
        return self.path / ".loki"

    @functools.cached_property
    def path_str(self) -> str:
        return str(self.path)

    @functools.cached_property
    def loki_dir_str(self) -> str:
        return f"{self.path}{os.sep}.loki"

    # -- scheduling ---------------------------------------------------------------------------

    def notify(self, rels: set[str] | None) -> None:
        """Schedule a sync of `rels` (None: every file)."""
        if rels is None:
            self._full = True
        else:
            self._pending |= rels
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain(), name=f"mirror-{self.project_id}")

    async def idle(self) -> None:
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()
        for timer in (self._memory_timer, self._retry_timer):
            if timer is not None:
                timer.cancel()

    async def _drain(self) -> None:
        while self._pending or self._full:
            rels, full = self._pending, self._full
            self._pending, self._full = set(), False
            try:
                await self.sync(rels, full=full)
            except Exception:  # the watcher never dies on one project's bad state
                logger.exception("sync of %s failed; will retry on its next change", self.path)

    def liveness_lapsed(self) -> bool:
        """Whether the live run may have died without a file saying so: its process is gone
        or another one took its pid, or its heartbeat went stale. One /proc read per run."""
        if self._view is None or self._view.status not in LIVE_SESSION_STATUSES:
            return False
        if self._live_process is not None:
            pid, ticks = self._live_process
            return start_ticks(pid) != ticks
        if self._heartbeat:
            return not session_json_alive(self.loki_dir, datetime.now(UTC))
        return False

    def _scan(self) -> set[str]:
        """Every protocol file present now, as paths relative to `.loki/`."""
        return set(self._scan_stamps())

    def _scan_stamps(self) -> dict[str, Stamp]:
        """Every protocol file present now with its stamp: one `os.scandir` per folder and the
        stamp from its entries (plain strings; pathlib's glob cost ~15% of a first scan)."""
        found: dict[str, Stamp] = {}
        root = self.loki_dir_str
        listings: dict[str, list[os.DirEntry[str]]] = {}
        for pattern in SCAN_GLOBS:
            for rel, entry in _glob_entries(root, pattern, listings):
                if rel in found or not kinds.classify(rel):
                    continue
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                found[rel] = Stamp(st.st_ino, st.st_size, st.st_mtime_ns)
        return found

    def _first_pass(self) -> dict[str, tuple[Stamp, bytes | None]] | None:
        """A full sync's reads in one worker-thread call: every protocol file's stamp, and the
        bytes of the small JSON files the sync will parse, so the event loop makes no system
        call for them (at 1,000 projects these were ~40 per project on the loop). None when
        there is no `.loki/` folder."""
        if not is_real_dir(self.loki_dir_str):  # missing, or a link: not the project's own
            return None
        found: dict[str, tuple[Stamp, bytes | None]] = {}
        for rel, current in self._scan_stamps().items():
            data = None
            if current.size <= PREFETCH_BYTES and _prefetched_kind(rel):
                status, raw, _ = read_bytes(self.loki_dir / rel, PREFETCH_BYTES)
                data = raw if status is ReadStatus.OK else None
            found[rel] = (current, data)
        return found

    def changed_since_scan(self) -> set[str]:
        """Files whose (inode, size, mtime_ns) differs from what the last sync saw."""
        present = self._scan_stamps()
        changed = {rel for rel, current in present.items() if current != self._stamps.get(rel)}
        return changed | {rel for rel in self._stamps if rel not in present}  # deleted files

    # -- sync ---------------------------------------------------------------------------------

    async def sync(self, rels: set[str], *, full: bool = False) -> None:
        if full:
            self._fetched = await asyncio.to_thread(self._first_pass)
        if self._fetched is None and not is_real_dir(self.loki_dir_str):
            return
        self.syncs += 1
        todo: set[str] = set(kinds.ALL) if full else set()
        for rel in rels:
            todo |= kinds.classify(rel)
        if self._fetched is not None and self._memory is None and not self._has_memory():
            todo.discard(kinds.MEMORY)  # nothing to count: no thread hop for it
        if kinds.MEMORY in todo and await self._count_memory():
            todo.add(kinds.SESSION)
        if kinds.EVENTS in todo:
            await self._sync_events()
        if todo & {kinds.SESSION, kinds.EVENTS}:
            await self._sync_session(metrics=kinds.METRICS in todo)
        if kinds.TASKS in todo:
            await self._sync_tasks()
        if kinds.AGENTS in todo:
            await self._sync_agents()
        if kinds.LOGS in todo:
            await self._sync_logs()
        if self._fetched is not None:
            # Stamps taken before the reads: a file changed since differs from them, so the
            # reconciliation scan catches what a lost event would hide.
            self._stamps.update((rel, fetched[0]) for rel, fetched in self._fetched.items())
            self._fetched = None
        for rel in rels:
            self._remember_stamp(rel)

    def _has_memory(self) -> bool:
        return is_real_dir(f"{self.loki_dir_str}/memory")

    async def _count_memory(self) -> bool:
        """Count the memory folders, at most every MEMORY_COUNT_SECONDS (a change inside that
        window is counted when it ends); whether the counts changed."""
        wait = self._memory_counted + MEMORY_COUNT_SECONDS - time.monotonic()
        if wait > 0:
            if self._memory_timer is None:
                loop = asyncio.get_running_loop()
                self._memory_timer = loop.call_later(wait, self._memory_due)
            return False
        self._memory_counted = time.monotonic()
        counts = await asyncio.to_thread(count_memory, self.loki_dir)
        if counts == self._memory:
            return False
        self._memory = counts
        return True

    def _memory_due(self) -> None:
        self._memory_timer = None
        self.notify({"memory"})

    async def _json(self, rel: str) -> tuple[Any, bool]:
        """(last good value or None when missing, whether it changed since the last read)."""
        path = self.loki_dir / rel
        fetched = self._fetched.get(rel) if self._fetched is not None else None
        current = self._stamp_of(rel)
        if current is None and rel not in self._good and rel not in self._warned:
            return None, False  # absent before and now
        if current is not None and current == self._stamps.get(rel) and rel in self._good:
            return self._good[rel], False
        result = parse_json_bytes(fetched[1]) if fetched and fetched[1] is not None else None
        if result is None or result.status.transient:  # caught mid-write: read until settled
            result = await read_json_settled(path)
        if result.status is ReadStatus.MISSING:
            self._stamps.pop(rel, None)
            self._digest.pop(rel, None)
            return None, self._good.pop(rel, None) is not None
        if not result.ok:
            if rel not in self._warned:
                self._warned.add(rel)
                logger.warning(
                    "%s: %s (%s); keeping its last good value",
                    path,
                    result.status.value,
                    result.error or "no detail",
                )
            return self._good.get(rel), False
        self._warned.discard(rel)
        if current is not None:
            self._stamps[rel] = current
        if self._digest.get(rel) == result.digest and rel in self._good:
            return self._good[rel], False
        self._digest[rel] = result.digest or ""
        self._good[rel] = result.value
        return result.value, True

    async def _sync_session(self, *, metrics: bool) -> None:
        autonomy_value, _ = await self._json("autonomy-state.json")
        if autonomy_value is None:
            newest = self._newest(self._present("sessions/*/autonomy-state.json"))
            if newest is not None:
                autonomy_value, _ = await self._json(newest)
        orchestrator_value, _ = await self._json("state/orchestrator.json")
        state_value, _ = await self._json("dashboard-state.json")
        for rel in ("loki.pid", "PAUSE", "STOP", "COMPLETED", "session.json"):
            self._remember_stamp(rel)
        autonomy = parse_autonomy_state(autonomy_value) if autonomy_value is not None else None
        orchestrator = parse_orchestrator(orchestrator_value)
        state = parse_dashboard_state(state_value)
        present = self._fetched.keys() if self._fetched is not None else None
        status = run_status(self.loki_dir, autonomy=autonomy, present=present)
        self._remember_liveness(status.alive, status.pid)
        evidence = (
            status.alive
            or bool(status.pids)  # any pid file: a run that ended still ends its row
            or autonomy is not None
            or state is not None
            or self._stamp_of("loki.pid") is not None
            or self._stamp_of("session.json") is not None
            or self._events.session_started is not None
        )
        if not evidence:
            return
        if metrics or self._view is None:
            if self._may_have_extras():
                extras = await asyncio.to_thread(_read_extras, self.loki_dir)
            else:
                extras = (None, {}, None)  # none of their files exists: skip the reads
            self._tokens, self._quality, self._run_provider = extras
        pid = status.pid or self._last_pid(status.pids, autonomy.pid if autonomy else None)
        if pid:
            run_key = f"pid:{pid}"
        else:
            started = self._events.session_started or orchestrator.started_at
            started = started or (state.started_at if state else None)
            run_key = f"start:{started.isoformat()}" if started else "run"
        snapshot: dict[str, Any] = dict(state.snapshot) if state else {}
        snapshot.update(self._quality)  # the files themselves beat dashboard-state's copies
        if self._memory is not None:
            snapshot["memory"] = self._memory
        if self._tokens:
            snapshot["tokens"] = self._tokens
        snapshot["alive"] = status.alive
        snapshot["liveness"] = status.reason
        if autonomy and autonomy.status:
            snapshot["autonomy_status"] = autonomy.status
        iteration = (autonomy.iteration if autonomy else None) or self._events.iteration
        view = RunView(
            session_id=uuid.uuid4(),
            run_key=run_key,
            status=status.status,
            phase=orchestrator.phase or self._events.phase or (state.phase if state else None),
            iteration=iteration or orchestrator.iteration or 0,
            provider=self._run_provider or (state.provider if state else None) or self.provider,
            pid=pid,
            prd_path=autonomy.prd_path if autonomy else None,
            exit_code=None if status.alive else (autonomy.last_exit_code if autonomy else None),
            started_at=utcnow(),
            snapshot=snapshot,
        )
        view = self._same_run(view, orchestrator.started_at, state.started_at if state else None)
        view = self._expected_run(view)
        if status.alive and view.session_id not in self._persisted:
            view = await self._recorded_run(view)
        if view == self._view:
            return
        previous = self._view
        was_live = previous is not None and previous.status in LIVE_SESSION_STATUSES
        self._view = view
        new = view.session_id not in self._persisted
        self._persisted.add(view.session_id)
        close = previous.session_id if previous is not None and was_live and new else None
        job = session_job(self.project_id, view, new=new, close=close)
        self.writer.submit(job, on_failure=lambda: self._session_unwritten(view, previous))
        if previous is not None and was_live and (new or view.status not in LIVE_SESSION_STATUSES):
            # The run ended, or a new one replaced it: its agents are over too.
            self._sent_agents = []
            ended = agents_job(self.project_id, previous.session_id, [], end_missing=True)
            self.writer.submit(ended, on_failure=self._agents_unwritten)

    def _session_unwritten(self, view: RunView, previous: RunView | None) -> None:
        if self._view is view:  # not overtaken by a newer view, which writes the whole row
            self._view = previous
        self._retry_soon()

    def _last_pid(self, pids: tuple[int, ...], autonomy_pid: int | None) -> int | None:
        """The pid a run that is not alive is known by: the one it ran as when it still shows
        in its files (so its death updates its row instead of starting another), else
        autonomy-state's, else the first pid file's."""
        known = self._view.pid if self._view is not None else None
        if known is not None and (known in pids or known == autonomy_pid):
            return known
        return autonomy_pid or (pids[0] if pids else None)

    def _remember_liveness(self, alive: bool, live_pid: int | None) -> None:
        self._heartbeat = alive and live_pid is None
        if not (alive and live_pid):
            self._live_process = None
            return
        ticks = start_ticks(live_pid)
        # Gone already (-1 never matches): the next liveness check syncs again.
        self._live_process = (live_pid, -1 if ticks is None else ticks)

    def _expected_run(self, view: RunView) -> RunView:
        """A new run while a dashboard start is expected (for a minute) takes its session row."""
        if self._expected is None or view.session_id in self._persisted:
            return view
        session_id, since = self._expected
        self._expected = None
        if time.monotonic() - since > EXPECT_SECONDS:
            return view
        self._persisted.add(session_id)
        return replace(view, session_id=session_id)

    async def _recorded_run(self, view: RunView) -> RunView:
        """A live run new to us takes the row recorded for it through the API, if any."""
        session_id = await recorded_session(self.writer.database, self.project_id)
        if session_id is None:
            return view
        self._persisted.add(session_id)
        return replace(view, session_id=session_id)

    def _same_run(self, view: RunView, *started_candidates: datetime | None) -> RunView:
        """Keep the id and start time of the run already known under the same key."""
        if self._view is not None and self._view.run_key == view.run_key:
            return replace(view, session_id=self._view.session_id, started_at=self._view.started_at)
        if self._view is None and not view.snapshot.get("alive"):
            # A run that ended before we looked: date it from its files, not from now.
            started = next((s for s in started_candidates if s is not None), None)
            if started is not None:
                return replace(view, started_at=started)
        return view

    def expect(self, session_id: uuid.UUID, since: float | None = None) -> None:
        """The dashboard is starting a run whose session row already exists: the next new run
        that shows up in the files is that one, so its files update that row. `since` is when
        the start was announced (monotonic), if that was before this mirror existed."""
        if session_id in self._persisted:
            return  # its run showed up first and already took the row (see _recorded_run)
        self._expected = (session_id, since if since is not None else time.monotonic())

    @property
    def session_id(self) -> uuid.UUID | None:
        return self._view.session_id if self._view is not None else None

    async def _sync_tasks(self) -> None:
        collected: list[QueueTask] = []
        if is_real_dir(f"{self.loki_dir_str}/queue"):
            for name, status in QUEUE_FILES.items():
                value, _ = await self._json(f"queue/{name}")
                collected.extend(parse_group(value, status))
            value, _ = await self._json(f"queue/{CURRENT_TASK_FILE}")
            collected.extend(parse_current_task(value))
        else:
            state = parse_dashboard_state(self._good.get("dashboard-state.json"))
            collected = state.tasks if state else []
        merged = merge(collected)
        changed: list[tuple[QueueTask, dict[str, Any] | None]] = []
        for key, task in merged.items():
            fields = task_fields(task)
            previous = self.known_tasks.get(key)
            if previous != fields:
                self.known_tasks[key] = fields
                changed.append((task, previous))
        if not changed:
            return
        keys = [task.external_id for task, _ in changed]
        job = tasks_job(self.project_id, self.session_id, changed)
        self.writer.submit(job, on_failure=lambda: self._tasks_unwritten(keys))

    def _tasks_unwritten(self, keys: list[str]) -> None:
        for key in keys:
            self.known_tasks.pop(key, None)
        self._retry_soon()

    async def _sync_agents(self) -> None:
        value, changed = await self._json("state/agents.json")
        agents = parse_agents(value)
        if not agents or agents == self._sent_agents:
            return  # an empty list is the second writer's flip, not every agent ending
        self._sent_agents = agents
        job = agents_job(self.project_id, self.session_id, agents, end_missing=True)
        self.writer.submit(job, on_failure=self._agents_unwritten)

    def _agents_unwritten(self) -> None:
        self._sent_agents = None
        self._retry_soon()

    # -- logs and events ----------------------------------------------------------------------

    def _log_targets(self) -> list[str]:
        logs = self._present("logs/*.log")
        targets = ["logs/agent.log"] if "logs/agent.log" in logs else []
        others = [rel for rel in logs if rel != "logs/agent.log" and not is_ignored_name(rel[5:])]
        newest = self._newest(others)
        if newest is not None:
            targets.append(newest)
        return targets

    async def _sync_logs(self) -> None:
        for rel in self._log_targets():
            blocks = self._key_blocks.setdefault(rel, KeyBlocks())
            await self._tail(rel, functools.partial(_parse_log_lines, blocks=blocks))

    async def _sync_events(self) -> None:
        await self._tail("events.jsonl", self._parse_events)

    def _parse_events(self, lines: list[bytes]) -> list[Line]:
        out: list[Line] = []
        for raw in lines:
            event = parse_event_line(raw)
            if event is None:
                continue  # a torn or foreign line
            self._learn(event)
            data = redact_data(event.data)  # events carry prompts and tool input: keys too
            summary = ", ".join(f"{k}={v}" for k, v in list(data.items())[:6])
            message = redact(f"{event.type}: {summary}" if summary else event.type)
            level = "error" if "fail" in event.type or "crash" in event.type else "info"
            meta = {"event": event.type, "data": data}
            out.append((message[:4000], message[:4000], level, event.timestamp, meta))
        return out

    def _learn(self, event: LokiEvent) -> None:
        data = event.data
        if event.type == "phase_change" and isinstance(data.get("to"), str):
            self._events.phase = data["to"].upper()[:64]
        elif event.type == "iteration_start" and isinstance(data.get("iteration"), int):
            self._events.iteration = data["iteration"]
        elif event.type == "session_start":
            # The file spans runs: what earlier runs said about phase and iteration is stale.
            self._events = EventFacts(session_started=event.timestamp or utcnow())

    async def _tail(self, rel: str, parse: Any) -> None:
        path = self.loki_dir / rel
        self._remember_stamp(rel)
        if rel not in self._stamps and rel not in self._cursors:
            return  # neither there now nor followed before: nothing to read
        while True:
            cursor = self._cursors.get(rel)
            # Lines written to events.jsonl just before it was renamed to .1 are read there first.
            source_path = _rotated_to(path, cursor) if rel == "events.jsonl" else path
            read: TailRead = await asyncio.to_thread(read_new_lines, source_path, cursor)
            lines: list[Line] = await asyncio.to_thread(parse, read.lines) if read.lines else []
            if read.cursor is not None:
                self._cursors[rel] = read.cursor
            if read.reset:
                logger.info("%s was %s; following it from its new position", path, read.reset)
            done: asyncio.Future[bool] | None = None
            if lines:
                source = "events" if rel.startswith("events") else rel.removeprefix("logs/")
                rows = log_rows(self.project_id, self.session_id, source[:128], lines)
                job = logs_job(self.project_id, rows, self._watch_state())
                rewind = functools.partial(self._lines_unwritten, rel, cursor, read.cursor)
                done = self.writer.submit(job, on_failure=rewind)
            if not read.more and source_path is path:
                return
            if done is not None and not await done:
                return  # backpressure: bounded memory however far behind the file is

    def _lines_unwritten(self, rel: str, before: Cursor | None, after: Cursor | None) -> None:
        """Read the lines again from where this batch started (unless later lines were read
        since: rewinding then would store those twice). Compared by value: a sync that found
        nothing new in between leaves an equal cursor, not the same object."""
        if self._cursors.get(rel) == after:
            if before is None:
                self._cursors.pop(rel, None)
            else:
                self._cursors[rel] = before
        self._retry_soon()

    def _retry_soon(self) -> None:
        """A write failed: sync everything again in a moment (not at once: a write that fails
        every time must not spin)."""
        if self._retry_timer is None:
            self._retry_timer = asyncio.get_running_loop().call_later(
                RETRY_SECONDS, self._retry_now
            )

    def _retry_now(self) -> None:
        self._retry_timer = None
        self.notify(None)

    def _watch_state(self) -> dict[str, Any]:
        cursors = {rel: [c.inode, c.offset, c.mark.hex()] for rel, c in self._cursors.items()}
        return {"cursors": cursors}

    def _may_have_extras(self) -> bool:
        """False when this full sync's first pass found none of _read_extras' files (most
        projects): their reads, a thread hop and a dozen lookups, are skipped."""
        if self._fetched is None:
            return True
        return any(rel.startswith(_EXTRAS_FOLDERS) for rel in self._fetched)

    def _stamp_of(self, rel: str) -> Stamp | None:
        """The file's stamp now, or as this full sync's first pass found it."""
        if self._fetched is not None:
            fetched = self._fetched.get(rel)
            return fetched[0] if fetched is not None else None
        return stamp(self.loki_dir / rel)

    def _present(self, pattern: str) -> list[str]:
        """Files matching a glob inside `.loki/`, from the first pass during a full sync."""
        if self._fetched is not None:
            return [rel for rel in self._fetched if fnmatch.fnmatchcase(rel, pattern)]
        return glob_files(self.loki_dir, pattern)  # no link followed, regular files only

    def _newest(self, rels: list[str]) -> str | None:
        best: tuple[int, str] | None = None
        for rel in rels:
            st = self._stamp_of(rel)
            if st is not None and (best is None or st.mtime_ns > best[0]):
                best = (st.mtime_ns, rel)
        return best[1] if best else None

    def _remember_stamp(self, rel: str) -> None:
        current = self._stamp_of(rel)
        if current is None:
            self._stamps.pop(rel, None)
        else:
            self._stamps[rel] = current


def _read_extras(loki_dir: Path) -> tuple[dict[str, Any] | None, dict[str, Any], str | None]:
    """Tokens, quality gates, signals and provider: many small files, read together in one
    worker thread."""
    found = read_quality(loki_dir)
    signals = read_signals(loki_dir)
    if signals:
        found["signals"] = signals
    return read_token_totals(loki_dir), found, read_provider(loki_dir)


def _rotated_to(path: Path, cursor: Cursor | None) -> Path:
    """`path`, or its `.1` when that is the file the cursor was reading and it holds lines the
    cursor has not reached (appended just before the rotation)."""
    if cursor is None:
        return path
    current = stamp(path)
    if current is not None and current.inode == cursor.inode:
        return path
    rotated = path.with_name(path.name + ".1")
    old = stamp(rotated)
    if old is not None and old.inode == cursor.inode and old.size > cursor.offset:
        return rotated
    return path


def _parse_log_lines(lines: list[bytes], blocks: KeyBlocks) -> list[Line]:
    out: list[Line] = []
    for raw in lines:
        line = parse_line(raw.decode("utf-8", "replace"), blocks)
        if line.message.strip():
            out.append((line.message, line.raw, line.level, None, None))
    return out
