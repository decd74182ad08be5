from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import text

from loki_dashboard.app import create_app
from loki_dashboard.config import Settings
from loki_dashboard.models import Log, RunSession, Task
from loki_dashboard.watcher.service import WatcherService
from tests.watcher.conftest import Db, Events, eventually, loki, write_json


class TestMissingFolder:
    async def test_deleted_folder_marks_missing_and_recovers(
        self,
        client: httpx.AsyncClient,
        db: Db,
        project: dict[str, Any],
        events: Events,
        tmp_path: Path,
    ) -> None:
        folder = Path(project["path"])
        write_json(folder / ".loki" / "queue" / "pending.json", [{"id": "a"}])
        await eventually(lambda: _tasks(db, project, 1))
        folder.rename(tmp_path / "moved-away")

        async def missing(expected: bool) -> bool:
            body = (await client.get(f"/api/projects/{project['id']}")).json()
            return bool(body["missing"] is expected)

        await eventually(lambda: missing(True))
        (tmp_path / "moved-away").rename(folder)
        await eventually(lambda: missing(False))
        write_json(folder / ".loki" / "queue" / "pending.json", [{"id": "a"}, {"id": "b"}])
        await eventually(lambda: _tasks(db, project, 2))
        updates = [e.data["missing"] for e in events.of("project:updated")]
        assert updates == [True, False]
        rows = await db.rows(Task, Task.project_id == uuid.UUID(project["id"]))
        assert {r.external_id for r in rows} == {"a", "b"}  # nothing lost while missing


class TestReconciliation:
    async def test_scan_finds_a_change_the_watcher_never_reported(
        self, db: Db, project: dict[str, Any], watcher: WatcherService
    ) -> None:
        pending = loki(project) / "queue" / "pending.json"
        write_json(pending, [{"id": "a", "title": "one"}])
        await eventually(lambda: _tasks(db, project, 1))
        await watcher.settle()
        mirror = watcher.mirrors[uuid.UUID(project["id"])]
        assert mirror.changed_since_scan() == set()
        # Same size and the same mtime as before, a new inode: only the stamp tells.
        st = pending.stat()
        write_json(pending, [{"id": "a", "title": "two"}])
        os.utime(pending, ns=(st.st_atime_ns, st.st_mtime_ns))
        assert "queue/pending.json" in mirror.changed_since_scan()
        await watcher.reconcile()

        async def retitled() -> bool:
            rows = await db.rows(Task, Task.project_id == uuid.UUID(project["id"]))
            return rows[0].title == "two"

        await eventually(retitled)

    async def test_folder_that_appears_with_files_in_it_is_scanned_at_once(
        self, db: Db, project: dict[str, Any], watcher: WatcherService, tmp_path: Path
    ) -> None:
        folder = str(loki(project))

        async def watching() -> bool:
            return folder in watcher._watched and watcher._rescan_due is None

        await eventually(watching)  # watched, and the scan after the watcher's restart done
        await watcher.settle()
        # Moved in whole: inotify reports the folder, never the files already inside it.
        made = tmp_path / "made" / "queue"
        write_json(made / "pending.json", [{"id": "a"}, {"id": "b"}])
        os.rename(made, loki(project) / "queue")
        await eventually(lambda: _tasks(db, project, 2))  # long before reconciliation (45 s)


class TestBurst:
    async def test_thousands_of_file_events_end_in_the_right_state(
        self, db: Db, project: dict[str, Any], watcher: WatcherService
    ) -> None:
        folder = loki(project)
        log = folder / "logs" / "agent.log"
        log.parent.mkdir()
        for i in range(1500):
            write_json(folder / "queue" / "pending.json", [{"id": f"t{j}"} for j in range(i % 50)])
            with log.open("a") as handle:
                handle.write(f"[INFO] line {i}\n")
        write_json(folder / "queue" / "completed.json", [{"id": f"t{j}"} for j in range(60)])

        async def settled() -> bool:
            rows = await db.rows(Task, Task.project_id == uuid.UUID(project["id"]))
            return len(rows) == 60 and all(r.status == "completed" for r in rows)

        await eventually(settled, timeout=60)

        async def all_lines() -> list[Log] | None:
            rows = await db.rows(Log, Log.project_id == uuid.UUID(project["id"]))
            return rows if len(rows) >= 1500 else None

        rows = await eventually(all_lines, timeout=60)
        await watcher.settle()
        messages = [r.message for r in sorted(rows, key=lambda r: r.id)]
        assert messages == [f"[INFO] line {i}" for i in range(1500)]


async def _tasks(db: Db, project: dict[str, Any], n: int) -> bool:
    return len(await db.rows(Task, Task.project_id == uuid.UUID(project["id"]))) == n


class TestRestart:
    async def test_restart_over_unchanged_files_writes_and_publishes_nothing(
        self, settings: Settings, tmp_path: Path
    ) -> None:
        folder = tmp_path / "shop"
        loki_dir = folder / ".loki"
        write_json(loki_dir / "queue" / "pending.json", [{"id": "a"}, {"id": "b"}])
        write_json(loki_dir / "autonomy-state.json", {"status": "exited", "pid": 999_999})
        (loki_dir / "logs").mkdir()
        (loki_dir / "logs" / "agent.log").write_text("[INFO] one\n")
        first = create_app(settings)
        async with first.router.lifespan_context(first):
            transport = httpx.ASGITransport(app=first, client=("127.0.0.1", 1))
            async with httpx.AsyncClient(
                transport=transport, base_url="http://127.0.0.1:57374"
            ) as client:
                assert (await client.post("/api/projects", json={"path": str(folder)})).is_success
            db = Db(first)
            await eventually(lambda: _has_rows(db, Log, 1))
            await eventually(lambda: _has_rows(db, RunSession, 1))
            await eventually(lambda: _has_rows(db, Task, 2))
            await first.state.watcher.settle()
        second = create_app(settings)
        async with second.router.lifespan_context(second):
            seen = Events()
            second.state.bus.subscribe(seen)
            watcher: WatcherService = second.state.watcher
            await watcher.ready.wait()
            await watcher.reconcile()
            await watcher.settle()
            assert seen.items == []
            with (loki_dir / "logs" / "agent.log").open("a") as handle:
                handle.write("[INFO] two\n")
            await eventually(lambda: _has_rows(Db(second), Log, 2))
            assert len(await Db(second).rows(Log)) == 2  # the log was not re-imported


async def _has_rows(db: Db, model: Any, n: int) -> bool:
    return len(await db.rows(model)) == n


class TestFailedWrites:
    """A write the database refuses is synced again once it can, neither lost nor doubled."""

    async def test_refused_task_and_log_writes_are_written_later(
        self, app: FastAPI, db: Db, project: dict[str, Any], watcher: WatcherService
    ) -> None:
        engine = app.state.database.writer
        dialect = engine.dialect.name
        async with engine.begin() as conn:
            for statement in _refusing_triggers(dialect):
                await conn.execute(text(statement))
        folder = loki(project)
        write_json(folder / "queue" / "pending.json", [{"id": "a", "title": "kept"}])
        (folder / "logs").mkdir()
        (folder / "logs" / "agent.log").write_text("[INFO] first line\n")

        async def refused() -> bool:
            return watcher.writer.failed_jobs >= 2

        await eventually(refused)
        assert await db.rows(Task) == []
        async with engine.begin() as conn:
            for statement in _dropping_triggers(dialect):
                await conn.execute(text(statement))

        async def written() -> bool:
            logs = await db.rows(Log, Log.source == "agent.log")
            return len(await db.rows(Task)) == 1 and len(logs) == 1

        await eventually(written)  # no file changed since: the mirror retried by itself
        await watcher.settle()
        (task,) = await db.rows(Task)
        assert task.title == "kept"
        (line,) = await db.rows(Log, Log.source == "agent.log")
        assert line.message == "[INFO] first line"


def _refusing_triggers(dialect: str) -> list[str]:
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} "
            "BEGIN SELECT RAISE(ABORT, 'refused for the test'); END"
            for table in ("task", "log")
        ]
    return [
        "CREATE FUNCTION refuse() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'refused for the test'; END $$ LANGUAGE plpgsql",
        *(
            f"CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION refuse()"
            for table in ("task", "log")
        ),
    ]


def _dropping_triggers(dialect: str) -> list[str]:
    if dialect == "sqlite":
        return ["DROP TRIGGER refuse_task", "DROP TRIGGER refuse_log"]
    return ["DROP TRIGGER refuse_task ON task", "DROP TRIGGER refuse_log ON log"]
