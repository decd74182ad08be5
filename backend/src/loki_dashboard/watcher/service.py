"""The watcher service: one `watchfiles` watcher over every registered project's `.loki/`.

One inotify instance for all projects (one per project fails at the 128th). watchfiles cannot
add a path to a running watcher, so adding or removing a project restarts it, and a scan after
every restart covers the gap. A reconciliation scan compares `(inode, size, mtime_ns)` of every
known file every `reconcile_seconds`, catching events the kernel dropped. A project whose folder
disappears is marked missing and recovers when it returns; a project without `.loki/` yet is
checked for its creation (never created by us). A `.loki` that is a link is no run folder of the
project: not watched, not mirrored. Links to folders inside one are never followed (see
link_guard.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import time
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from watchfiles import Change, awatch

from loki_dashboard.config import Settings
from loki_dashboard.db.engine import Database
from loki_dashboard.loki.files import Stamp, digest_bytes, is_ignored_name, read_bytes, stamp
from loki_dashboard.loki.learnings import LEARNING_FILES
from loki_dashboard.loki.safe_open import is_real_dir
from loki_dashboard.models import Project, RunSession, Task
from loki_dashboard.realtime.bus import EventBus
from loki_dashboard.realtime.events import DomainEvent
from loki_dashboard.schemas import projects as project_schemas
from loki_dashboard.watcher import imports, inotify
from loki_dashboard.watcher.classify import classify
from loki_dashboard.watcher.link_guard import WatchPlan, plan_watch
from loki_dashboard.watcher.mirror import ProjectMirror
from loki_dashboard.watcher.sync_session import RunView, view_of
from loki_dashboard.watcher.sync_tasks import FILE_FIELDS
from loki_dashboard.watcher.writer import DbWriter

logger = logging.getLogger(__name__)

# step=5 gives ~8 ms median / ~10 ms p99 idle (defaults: 80 ms / 1.8 s p99); a 25 ms debounce
# caps the wait under a steady stream of writes (50 ms gave a 106 ms p99 at 300 writes/s here).
DEBOUNCE_MS = 25
STEP_MS = 5
POLL_DELAY_MS = 300
TICK_SECONDS = 0.25
EXISTENCE_CHECK_SECONDS = 2.0
# A run that dies (killed, crashed, heartbeat gone stale) writes no file: live runs are
# re-checked this often, one /proc read each.
LIVENESS_CHECK_SECONDS = 3.0
# A folder watched folder by folder (it holds a link) is re-listed for new folders at most this
# often: a run making folders in a loop must not keep the whole watcher restarting.
GUARDED_RESTART_SECONDS = 10.0


class WatcherService:
    def __init__(self, settings: Settings, database: Database, bus: EventBus) -> None:
        self.settings = settings
        self.database = database
        self.bus = bus
        self.writer = DbWriter(database, bus)
        self.mirrors: dict[uuid.UUID, ProjectMirror] = {}
        self._by_dir: dict[str, uuid.UUID] = {}
        self._missing: set[uuid.UUID] = set()
        self._seen_loki: set[str] = set()  # .loki/ folders already scanned once
        self._watched: frozenset[str] = frozenset()
        self._restart = asyncio.Event()
        self._reload = asyncio.Event()
        self._stopping = False
        self._tasks: list[asyncio.Task[None]] = []
        self._unsubscribe: Any = None
        self._rescan_due: float | None = None
        self._home_digests: dict[str, str] = {}
        self._home_stamps: dict[str, list[Stamp | None]] = {}
        # Folders inotify refused at the last (re)start, polled instead, and why.
        self._polled: frozenset[str] = frozenset()
        # Watched folders holding a link to a folder: watched folder by folder (link_guard.py).
        self._guarded: frozenset[str] = frozenset()
        self._guard_warned: set[str] = set()
        self._guarded_grew = False  # a new folder in a guarded root awaits a restart
        # Its own thread: in the shared pool the walk would wait behind every project's first
        # full sync (1,000 at start), and the watch with it.
        self._planner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="watch-plan")
        self._polling_reason = ""
        self._limit_warning: str | None = None
        self.restarts = 0
        self.ready = asyncio.Event()
        self._limit_task: asyncio.Task[None] | None = None

    # -- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        self.writer.start()
        self._unsubscribe = self.bus.subscribe(self._on_events)
        await self._import_home(force=True)
        await self.reload_projects()
        self._tasks = [
            asyncio.create_task(self._watch_loop(), name="loki-watcher"),
            asyncio.create_task(self._housekeeping_loop(), name="loki-watcher-housekeeping"),
        ]

    async def stop(self) -> None:
        self._stopping = True
        self._restart.set()
        if self._unsubscribe is not None:
            self._unsubscribe()
        tasks = [*self._tasks, *([self._limit_task] if self._limit_task else [])]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for mirror in self.mirrors.values():
            mirror.cancel()
        self._planner.shutdown(wait=False, cancel_futures=True)
        await self.writer.stop()

    async def settle(self) -> None:
        """Wait until every scheduled sync ran and its writes are committed (tests, benches)."""
        for mirror in list(self.mirrors.values()):
            await mirror.idle()
        await self.writer.flush()

    def status(self) -> dict[str, Any]:
        """The watcher's health for `/api/status`."""
        polled = self._polled
        if not polled:
            mode = "inotify"
        else:
            mode = "polling" if polled >= self._watched else "mixed"
        warnings = self.warnings()
        return {
            "enabled": True,
            "mode": mode,
            "projects": len(self.mirrors),
            "watched_folders": len(self._watched),
            "polling_projects": sorted(str(self._by_dir[p]) for p in polled if p in self._by_dir),
            "missing_projects": len(self._missing),
            "restarts": self.restarts,
            "write_backlog": self.writer.backlog,
            "warning": " ".join(warnings) or None,
            "warnings": warnings,
        }

    def warnings(self) -> list[str]:
        found = [self._limit_warning] if self._limit_warning else []
        if self._polled:
            found.append(
                f"inotify unavailable ({self._polling_reason}) for {len(self._polled)} "
                f"folders; polling them every {POLL_DELAY_MS} ms instead"
            )
        return found

    # -- projects -----------------------------------------------------------------------------

    async def reload_projects(self) -> None:
        """Match the mirrors to the registered projects; new ones get a full scan."""
        async with self.database.read_sessions() as session:
            rows = (
                await session.execute(
                    select(
                        Project.id,
                        Project.path,
                        Project.provider,
                        Project.watch_state,
                        Project.missing,
                    )
                )
            ).all()
            wanted = {row.id for row in rows}
            new_ids = [row.id for row in rows if row.id not in self.mirrors]
            sessions = await _latest_sessions(session, new_ids) if new_ids else {}
            tasks = await _known_tasks(session, new_ids) if new_ids else {}
        for row in rows:
            if row.id in self.mirrors:
                continue
            mirror = ProjectMirror(
                project_id=row.id,
                path=Path(row.path),
                writer=self.writer,
                known_view=sessions.get(row.id),
                known_tasks=tasks.get(row.id, {}),
                watch_state=row.watch_state,
                provider=row.provider,
            )
            self.mirrors[row.id] = mirror
            self._by_dir[str(mirror.loki_dir)] = row.id
            if row.missing:
                self._missing.add(row.id)
            if is_real_dir(mirror.loki_dir_str):
                self._seen_loki.add(mirror.loki_dir_str)
            mirror.notify(None)
        gone = [pid for pid in self.mirrors if pid not in wanted]
        for project_id in gone:
            mirror = self.mirrors.pop(project_id)
            mirror.cancel()
            self._by_dir.pop(str(mirror.loki_dir), None)
            self._missing.discard(project_id)
        self._restart_if_needed(self._check_existence())
        if new_ids or gone:
            self._spawn_limit_check()

    async def _on_events(self, events: Sequence[DomainEvent]) -> None:
        for event in events:
            self.notice(event)

    def notice(self, event: DomainEvent) -> None:
        """React to a committed change made anywhere (this process or, on PostgreSQL, another)."""
        if event.type in ("project:created", "project:deleted"):
            self._reload.set()

    # -- watching -----------------------------------------------------------------------------

    def _watch_paths(self, existing: set[str] | None = None) -> frozenset[str]:
        if existing is None:
            existing = {
                folder
                for folder, pid in self._by_dir.items()
                if pid not in self._missing and is_real_dir(folder)
            }
        paths = set(existing)
        for sub in ("learnings", "dashboard"):
            folder = self.settings.home / sub
            if is_real_dir(folder):
                paths.add(str(folder))
        return frozenset(paths)

    def _restart_if_needed(self, existing: set[str] | None = None) -> None:
        if self._watch_paths(existing) != self._watched:
            self._restart.set()

    async def _watch_loop(self) -> None:
        while not self._stopping:
            self._restart.clear()
            paths = self._watch_paths()
            self._watched = paths
            self._rescan_due = float("inf")  # due once the watch is in place (below)
            self.ready.set()
            if not paths:
                self._rescan_due = time.monotonic() + 0.05
                await self._restart.wait()
                continue
            loop = asyncio.get_running_loop()
            plan = await loop.run_in_executor(
                self._planner,
                functools.partial(plan_watch, sorted(paths), warned=self._guard_warned),
            )
            self._guarded = plan.guarded
            # awatch sets its watches up before this task yields again: the rescan that covers
            # the changes made while there was none comes after them.
            self._rescan_due = time.monotonic() + 0.05
            try:
                await self._watch_all(plan)
            except Exception:
                logger.exception("file watcher failed; retrying in 1 s")
                await asyncio.sleep(1)
            self.restarts += 1

    async def _watch_all(self, plan: WatchPlan) -> None:
        """inotify over every folder it takes (tried again at each restart); the rest polled.
        The folders of guarded roots are watched each alone, beside the others."""
        home = str(self.settings.home)
        # LOKI_HOME's folders first: few, and they carry new projects.
        ordered = sorted(plan.recursive, key=lambda p: (not p.startswith(home), p))
        self._polled = frozenset()
        try:
            await self._watch_groups((ordered, False, True), (plan.flat, False, False))
            return
        except FileNotFoundError:
            await asyncio.sleep(0.1)  # a folder vanished since it was listed: list them again
            return
        except (OSError, RuntimeError) as exc:
            if not inotify.refused(exc):
                raise
            reason = str(exc).splitlines()[0][:200]
        fit = await asyncio.to_thread(inotify.capacity, ordered)
        watched, polled = ordered[:fit], ordered[fit:]
        self._polled = frozenset(polled)
        self._polling_reason = reason
        logger.warning(
            "inotify refused watches (%s): polling %d of %d folders every %d ms",
            reason,
            len(polled),
            len(ordered),
            POLL_DELAY_MS,
        )
        try:
            await self._watch_groups(
                (polled, True, True), (watched, False, True), (plan.flat, True, False)
            )
        except FileNotFoundError:
            await asyncio.sleep(0.1)

    async def _watch_groups(self, *groups: tuple[Sequence[str], bool, bool]) -> None:
        """Watch every non-empty group of (paths, polling, recursive) at once; the first error
        of any ends them all and is raised as it is."""
        live = [group for group in groups if group[0]]
        if len(live) == 1:
            paths, polling, recursive = live[0]
            await self._watch(paths, polling=polling, recursive=recursive)
            return
        try:
            async with asyncio.TaskGroup() as tasks:
                for paths, polling, recursive in live:
                    tasks.create_task(self._watch(paths, polling=polling, recursive=recursive))
        except ExceptionGroup as errors:
            raise errors.exceptions[0] from None

    async def _watch(self, paths: Sequence[str], *, polling: bool, recursive: bool = True) -> None:
        async for changes in awatch(
            *paths,
            recursive=recursive,
            watch_filter=_keep,
            debounce=DEBOUNCE_MS,
            step=STEP_MS,
            stop_event=self._restart,
            force_polling=polling,
            poll_delay_ms=POLL_DELAY_MS,
            ignore_permission_denied=True,
        ):
            self._dispatch(changes)

    def _dispatch(self, changes: set[tuple[Change, str]]) -> None:
        by_project: dict[uuid.UUID, set[str]] = {}
        scan: set[uuid.UUID] = set()
        home = str(self.settings.home)
        for change, path in changes:
            found = self._locate(path)
            if found is not None:
                by_project.setdefault(found[0], set()).add(found[1])
                # Files written right after their folder was made are often never reported:
                # a new folder (queue/, state/, sessions/<id>/) means a scan of the project.
                if change == Change.added and not classify(found[1]) and os.path.isdir(path):
                    scan.add(found[0])
                    mirror = self.mirrors.get(found[0])
                    if mirror is not None and mirror.loki_dir_str in self._guarded:
                        self._guarded_grew = True  # watched folder by folder: add the new one
            elif path.startswith(home):
                self._reload.set()  # projects.json or learnings: handled by housekeeping
        for project_id, rels in by_project.items():
            mirror = self.mirrors.get(project_id)
            if mirror is not None:
                mirror.notify(None if project_id in scan else rels)

    def _locate(self, path: str) -> tuple[uuid.UUID, str] | None:
        pos = path.find("/.loki")
        while pos >= 0:
            project_id = self._by_dir.get(path[: pos + 6])
            if project_id is not None:
                return project_id, path[pos + 7 :]
            pos = path.find("/.loki", pos + 1)
        return None

    # -- housekeeping -------------------------------------------------------------------------

    async def _housekeeping_loop(self) -> None:
        last_existence = last_reconcile = last_liveness = time.monotonic()
        last_guarded = -GUARDED_RESTART_SECONDS
        while not self._stopping:
            await asyncio.sleep(TICK_SECONDS)
            now = time.monotonic()
            try:
                if self._guarded_grew and now - last_guarded >= GUARDED_RESTART_SECONDS:
                    self._guarded_grew, last_guarded = False, now
                    self._restart.set()
                if self._reload.is_set():
                    self._reload.clear()
                    await self._import_home()
                    await self.reload_projects()
                if self._rescan_due is not None and now >= self._rescan_due:
                    self._rescan_due = None
                    await self._import_home()
                    await self.reconcile()
                if now - last_existence >= EXISTENCE_CHECK_SECONDS:
                    last_existence = now
                    self._restart_if_needed(self._check_existence())
                if now - last_liveness >= LIVENESS_CHECK_SECONDS:
                    last_liveness = now
                    self.check_liveness()
                if now - last_reconcile >= self.settings.reconcile_seconds:
                    last_reconcile = now
                    await self._import_home()
                    await self.reload_projects()
                    await self.reconcile()
            except Exception:
                logger.exception("watcher housekeeping failed; continuing")

    async def reconcile(self) -> None:
        """Sync every file whose stamp differs from what its mirror last saw."""
        for project_id, mirror in list(self.mirrors.items()):
            if project_id in self._missing or not is_real_dir(mirror.loki_dir_str):
                continue
            changed = await asyncio.to_thread(mirror.changed_since_scan)
            if changed:
                mirror.notify(changed)

    def check_liveness(self) -> None:
        """Sync the session of every live run whose process or heartbeat lapsed."""
        for mirror in self.mirrors.values():
            if mirror.liveness_lapsed():
                mirror.notify({"loki.pid"})  # any session file: the whole status is recomputed

    def _check_existence(self) -> set[str]:
        """Mark vanished folders missing, recover returned ones; the `.loki/` folders present."""
        present: set[str] = set()
        isdir = os.path.isdir
        for project_id, mirror in self.mirrors.items():
            loki_dir = mirror.loki_dir_str
            if is_real_dir(loki_dir):  # a `.loki` that is a link is not the project's own
                exists = True
            else:
                exists = isdir(mirror.path_str)
            if not exists and project_id not in self._missing:
                self._missing.add(project_id)
                logger.warning("project folder %s is gone; marked missing", mirror.path)
                self.writer.submit(_missing_job(project_id, missing=True))
                continue
            if exists and project_id in self._missing:
                self._missing.discard(project_id)
                logger.info("project folder %s is back", mirror.path)
                self.writer.submit(_missing_job(project_id, missing=False))
                mirror.notify(None)
            if is_real_dir(loki_dir):
                present.add(loki_dir)
                if loki_dir not in self._seen_loki:
                    self._seen_loki.add(loki_dir)
                    mirror.notify(None)  # .loki/ appeared: scan what it already holds
            else:
                self._seen_loki.discard(loki_dir)
        return present

    async def _import_home(self, *, force: bool = False) -> None:
        home = self.settings.home
        if self.settings.import_registry:
            if await self._home_changed("registry", [imports.registry_path(home)]) or force:
                entries = await imports.read_registry(home)
                if entries:
                    job = imports.register_job(entries, home)
                    await self.writer.submit(job, on_failure=lambda: self._forget_home("registry"))
        folder = home / "learnings"
        learnings = [folder / n for n in sorted(LEARNING_FILES)]
        if await self._home_changed("learnings", learnings) or force:
            records = await asyncio.to_thread(imports.read_learnings, home)
            if records:
                job = imports.learnings_job(records)
                await self.writer.submit(job, on_failure=lambda: self._forget_home("learnings"))

    def _forget_home(self, key: str) -> None:
        """Its import failed: the next pass reads the files again."""
        self._home_stamps.pop(key, None)
        self._home_digests.pop(key, None)

    async def _home_changed(self, key: str, paths: list[Path]) -> bool:
        """Whether the content of `paths` changed since the last look: stamps first (a stat
        each, every housekeeping pass), then a digest, read off the event loop."""
        stamps = [stamp(p) for p in paths]
        if self._home_stamps.get(key) == stamps:
            return False
        self._home_stamps[key] = stamps
        digest = await asyncio.to_thread(lambda: "".join(_file_digest(p) for p in paths))
        if digest == self._home_digests.get(key):
            return False
        self._home_digests[key] = digest
        return True

    def _spawn_limit_check(self) -> None:
        """Check the watch limit in the background: counting walks every `.loki/` folder
        (~0.3 s at 1,000 projects), which at start held up the watch itself."""
        if self._limit_task is not None:
            self._limit_task.cancel()
        self._limit_task = asyncio.create_task(self._check_watch_limit(), name="watch-limit")

    async def _check_watch_limit(self) -> None:
        """Warn past half the inotify watch limit; again whenever the projects change."""
        paths = self._watch_paths()
        try:
            folders = await asyncio.to_thread(lambda: sum(inotify.count_dirs(p) for p in paths))
            warning = inotify.limit_warning(folders)
        except Exception:  # a background check: say so, never leave it unobserved
            logger.exception("could not count the folders to watch")
            return
        if warning and warning != self._limit_warning:
            logger.warning("%s", warning)
        self._limit_warning = warning


def _keep(_change: Change, path: str) -> bool:
    """watchfiles filter: writers' temp files and dot-files never reach the mirrors."""
    return not is_ignored_name(os.path.basename(path))


def _file_digest(path: Path) -> str:
    status, data, _ = read_bytes(path, 64 * 1024 * 1024)
    return digest_bytes(data) if data else status.value


async def _latest_sessions(
    session: AsyncSession, project_ids: list[uuid.UUID]
) -> dict[uuid.UUID, RunView]:
    """The newest file-mirrored run of each project, as the view it stands for."""
    latest: dict[uuid.UUID, RunView] = {}
    for start in range(0, len(project_ids), 500):
        chunk = project_ids[start : start + 500]
        rows = await session.scalars(
            select(RunSession)
            .where(RunSession.project_id.in_(chunk), RunSession.run_key.is_not(None))
            .order_by(RunSession.started_at)
        )
        for row in rows:
            latest[row.project_id] = view_of(row)
    return latest


async def _known_tasks(
    session: AsyncSession, project_ids: list[uuid.UUID]
) -> dict[uuid.UUID, dict[str, dict[str, Any]]]:
    """The file-decided fields of every mirrored task, so unchanged tasks are not rewritten."""
    known: dict[uuid.UUID, dict[str, dict[str, Any]]] = {}
    columns = [getattr(Task, name) for name in FILE_FIELDS]
    for start in range(0, len(project_ids), 500):
        chunk = project_ids[start : start + 500]
        rows = await session.execute(
            select(Task.project_id, Task.external_id, *columns).where(
                Task.project_id.in_(chunk), Task.external_id.is_not(None)
            )
        )
        for row in rows:
            values = dict(zip(FILE_FIELDS, row[2:], strict=True))
            known.setdefault(row[0], {})[row[1]] = values
    return known


def _missing_job(project_id: uuid.UUID, *, missing: bool) -> Any:
    async def apply(session: AsyncSession) -> list[DomainEvent]:
        await session.execute(
            update(Project).where(Project.id == project_id).values(missing=missing)
        )
        project = await session.get(Project, project_id, populate_existing=True)
        if project is None:
            return []
        data = project_schemas.Project.model_validate(project).model_dump(mode="json")
        return [DomainEvent("project:updated", data, project_id=project_id)]

    return apply


async def start_watcher(
    settings: Settings, database: Database, bus: EventBus
) -> WatcherService | None:
    """Start the watcher unless `LOKI_WATCHER_ENABLED` turns it off."""
    if not settings.watcher_enabled:
        return None
    watcher = WatcherService(settings, database, bus)
    await watcher.start()
    return watcher
