"""One project's mirror: turns changed `.loki/` files into database jobs for the writer.

A sync looks at the files its changes concern in one worker-thread hop (watcher.file_index),
then, in order: the run's new events (folded into what it knows of the current run), the run's
facts and session (watcher.run_tracker), the events' rows, filed under the run they belong to,
then tasks, agents and log lines. Syncs of one project never run concurrently: changes that
arrive during a sync are folded into the next one.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from loki_dashboard.loki.agent_usage import CallUsage
from loki_dashboard.loki.agent_usage import merge as merge_usage
from loki_dashboard.loki.agents import AgentEntry, parse_agents
from loki_dashboard.loki.dashboard_state import parse_dashboard_state
from loki_dashboard.loki.key_blocks import KeyBlocks
from loki_dashboard.loki.memory import count_memory
from loki_dashboard.loki.queue import (
    CURRENT_TASK_FILE,
    QUEUE_FILES,
    QueueTask,
    merge,
    parse_current_task,
    parse_group,
)
from loki_dashboard.loki.run_events import RunEvents, fold_all, from_json, to_json
from loki_dashboard.loki.tail import Cursor
from loki_dashboard.watcher import classify as kinds
from loki_dashboard.watcher.file_index import FileIndex
from loki_dashboard.watcher.log_tails import EVENTS, Batch, Cursors, log_targets, read_batch
from loki_dashboard.watcher.run_tracker import RunTracker
from loki_dashboard.watcher.sync_agent_usage import Usage, agent_usage_job
from loki_dashboard.watcher.sync_agents import agents_job
from loki_dashboard.watcher.sync_logs import log_rows, logs_job
from loki_dashboard.watcher.sync_session import RunView
from loki_dashboard.watcher.sync_tasks import task_fields, tasks_job
from loki_dashboard.watcher.writer import DbWriter, Job, chain

logger = logging.getLogger(__name__)

# Memory folders are counted at most this often (an agent writes many episodes at once).
MEMORY_COUNT_SECONDS = 5.0
# After a failed database write, the project is synced again this much later.
RETRY_SECONDS = 2.0
AGENT_LOG = "logs/agent.log"
OnBatch = Callable[[str, Batch, Cursor | None], Awaitable[asyncio.Future[bool] | None]]
# What a task sync looks at besides the changed files.
TASK_INPUTS = (
    *(f"queue/{name}" for name in QUEUE_FILES),
    f"queue/{CURRENT_TASK_FILE}",
    "dashboard-state.json",
)


class ProjectMirror:
    def __init__(
        self,
        *,
        project_id: uuid.UUID,
        path: Path,
        writer: DbWriter,
        known_view: RunView | None = None,
        known_tasks: dict[str, dict[str, Any]] | None = None,
        watch_state: dict[str, Any] | None = None,
        provider: str = "claude",
    ) -> None:
        self.project_id = project_id
        self.path = path
        self.writer = writer
        self.loki_dir = path / ".loki"
        self.path_str = str(path)
        self.loki_dir_str = f"{path}{os.sep}.loki"
        saved = watch_state or {}
        self.index = FileIndex(self.loki_dir)
        self.cursors = Cursors(saved.get("cursors"))
        self.run = RunTracker(
            project_id,
            self.loki_dir,
            writer,
            provider=provider,
            known=known_view,
            events=from_json(saved.get("run_events")) if "run_events" in saved else None,
        )
        self.known_tasks: dict[str, dict[str, Any]] = known_tasks or {}
        # The provider call under way in the agent's log (its agents' weighted tokens so far).
        self.call = CallUsage.from_json(saved.get("agent_usage"))
        # Per tailed log: whether its lines are inside a private key (hidden whole).
        self.key_blocks: dict[str, KeyBlocks] = {}
        self._sent_agents: list[AgentEntry] | None = None
        self._pending: set[str] = set()
        self._full = False
        self._task: asyncio.Task[None] | None = None
        self._memory_counted = -MEMORY_COUNT_SECONDS
        self._memory_timer: asyncio.TimerHandle | None = None
        self._retry_timer: asyncio.TimerHandle | None = None
        self._session_synced = False  # during a sync: whether its events synced the session
        self.syncs = 0

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
        return self.run.liveness_lapsed()

    def changed_since_scan(self) -> set[str]:
        """Worker-thread call: files whose stamp differs from what the last sync saw."""
        return self.index.changed_since_scan()

    @property
    def session_id(self) -> uuid.UUID | None:
        return self.run.session_id

    # -- sync ---------------------------------------------------------------------------------

    async def sync(self, rels: set[str], *, full: bool = False) -> None:
        todo: set[str] = set(kinds.ALL) if full else set()
        for rel in rels:
            todo |= kinds.classify(rel)
        looked = None if full else self._inputs(rels, todo)
        fetched = await asyncio.to_thread(self.index.read, looked, dict(self.index.stamps))
        if fetched is None:
            return  # no .loki/ folder (yet)
        self.syncs += 1
        self.index.begin(fetched, looked)
        try:
            await self._sync_kinds(todo)
        finally:
            self.index.end()

    def _inputs(self, rels: set[str], todo: set[str]) -> set[str]:
        """The files an incremental sync looks at: the changed ones and what its kinds read."""
        looked = set(rels)
        if todo & {kinds.SESSION, kinds.EVENTS, kinds.METRICS, kinds.MEMORY, kinds.LOGS}:
            looked |= self.run.inputs(self.index)
        if kinds.TASKS in todo:
            looked |= set(TASK_INPUTS)
        if kinds.AGENTS in todo:
            looked.add("state/agents.json")
        if kinds.LOGS in todo:
            looked |= set(self.index.present("logs/*.log"))
        return looked

    async def _sync_kinds(self, todo: set[str]) -> None:
        if self.index.full and self.run.memory is None and not self._has_memory():
            todo.discard(kinds.MEMORY)  # nothing to count: no thread hop for it
        if kinds.MEMORY in todo and await self._count_memory():
            todo.add(kinds.SESSION)
        metrics = kinds.METRICS in todo
        self._session_synced = False
        if kinds.EVENTS in todo:
            await self._follow(EVENTS, functools.partial(self._on_events, metrics=metrics))
        if todo & {kinds.SESSION, kinds.METRICS, kinds.EVENTS} and not self._session_synced:
            await self.run.sync(self.index, read_extras_now=metrics)
        if kinds.TASKS in todo:
            await self._sync_tasks()
        if kinds.AGENTS in todo:
            await self._sync_agents()
        if kinds.LOGS in todo:
            stage = dict(self.run.stage)
            for rel in log_targets(self.index):
                await self._follow(rel, self._on_log_lines)
            if self.run.stage != stage:
                await self.run.sync(self.index, read_extras_now=False)

    def _has_memory(self) -> bool:
        return any(rel.startswith("memory/") for rel in self.index.fetched or ())

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
        if counts == self.run.memory:
            return False
        self.run.memory = counts
        return True

    def _memory_due(self) -> None:
        self._memory_timer = None
        self.notify({"memory"})

    # -- tasks and agents ---------------------------------------------------------------------

    async def _sync_tasks(self) -> None:
        collected: list[QueueTask] = []
        if self.index.present("queue/*"):
            for name, status in QUEUE_FILES.items():
                value, _ = await self.index.json(f"queue/{name}")
                collected.extend(parse_group(value, status))
            value, _ = await self.index.json(f"queue/{CURRENT_TASK_FILE}")
            collected.extend(parse_current_task(value))
        else:
            state = parse_dashboard_state((await self.index.json("dashboard-state.json"))[0])
            collected = state.tasks if state else []
        changed: list[tuple[QueueTask, dict[str, Any] | None]] = []
        for key, task in merge(collected).items():
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
        value, _ = await self.index.json("state/agents.json")
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

    async def _follow(self, rel: str, on_batch: OnBatch) -> None:
        """Read `rel` from its cursor to its end, a bounded chunk at a time, handing each chunk
        to `on_batch`; waits for a chunk's write before reading the next (bounded memory however
        far behind the file is)."""
        if self.index.stamp_of(rel) is None and rel not in self.cursors.items:
            return  # neither there now nor followed before: nothing to read
        anchor = None
        while True:
            before = self.cursors.items.get(rel)
            call = self.call if rel == AGENT_LOG else None
            blocks = self.key_blocks.setdefault(rel, KeyBlocks())
            batch = await asyncio.to_thread(
                read_batch, self.loki_dir, rel, before, anchor, call, blocks
            )
            anchor = batch.anchor
            if batch.read.cursor is not None:
                self.cursors.items[rel] = batch.read.cursor
            if batch.read.reset:
                logger.info("%s/%s was %s; following it anew", self.loki_dir, rel, batch.read.reset)
            done = await on_batch(rel, batch, before) if batch.lines or batch.events else None
            if not batch.read.more and batch.source_path.name == Path(rel).name:
                return
            if done is not None and not await done:
                return

    async def _on_events(
        self, rel: str, batch: Batch, before: Cursor | None, *, metrics: bool
    ) -> asyncio.Future[bool] | None:
        folded = self.run.events
        self.run.events = fold_all(folded, batch.events)
        await self.run.sync(self.index, read_extras_now=metrics and not self._session_synced)
        self._session_synced = True
        return self._submit_lines(rel, "events", batch, before, folded)

    async def _on_log_lines(
        self, rel: str, batch: Batch, before: Cursor | None
    ) -> asyncio.Future[bool] | None:
        self.run.stage.update(batch.stage)
        return self._submit_lines(rel, rel.removeprefix("logs/")[:128], batch, before, None)

    def _submit_lines(
        self,
        rel: str,
        source: str,
        batch: Batch,
        before: Cursor | None,
        folded: RunEvents | None,
    ) -> asyncio.Future[bool] | None:
        """Store a chunk's lines, each under the run it belongs to by its date. If the write
        fails, the chunk is read again (and its events folded again) at the retry."""
        if not batch.lines:
            return None
        rows = [
            row
            for line in batch.lines
            for row in log_rows(self.project_id, self.run.session_for(line[3]), source, [line])
        ]
        job: Job = logs_job(self.project_id, rows, self._watch_state())
        if batch.usage:
            usage: list[Usage] = []
            for n, delta in batch.usage:
                at = batch.lines[n][3]
                usage.append((self.run.session_for(at), at, delta))
            job = chain(agent_usage_job(self.project_id, _merged(usage)), job)
        rewind = self.cursors.rewinder(rel, before, batch.read.cursor)
        after = self.run.events

        def unwritten() -> None:
            rewind()
            if folded is not None and self.run.events is after:
                self.run.events = folded
            self._retry_soon()

        return self.writer.submit(job, on_failure=unwritten)

    def _watch_state(self) -> dict[str, Any]:
        return {
            "cursors": self.cursors.state(),
            "run_events": to_json(self.run.events),
            "agent_usage": self.call.to_json(),
        }

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


def _merged(usage: list[Usage]) -> list[Usage]:
    """One delta per agent of each session (the batch's time of its first)."""
    by_session: dict[uuid.UUID | None, list[Usage]] = {}
    for item in usage:
        by_session.setdefault(item[0], []).append(item)
    return [
        (session_id, items[0][1], delta)
        for session_id, items in by_session.items()
        for delta in merge_usage([item[2] for item in items])
    ]
