from __future__ import annotations

import json
import os
import resource
import tracemalloc
import uuid
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import distinct, func, select

from loki_dashboard.config import Settings, load_settings
from loki_dashboard.models import Log, RunSession
from loki_dashboard.watcher.service import WatcherService
from tests.watcher.conftest import Db, Events, eventually, loki

SECRET = "sk-ant-api03-" + "x" * 40


def _append(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


async def _logs(db: Db, project: dict[str, Any], source: str | None = None) -> list[Log]:
    where = [Log.project_id == uuid.UUID(project["id"])]
    if source is not None:
        where.append(Log.source == source)
    return sorted(await db.rows(Log, *where), key=lambda r: r.id)


class TestLogs:
    async def test_lines_stripped_redacted_levelled_and_published(
        self, db: Db, project: dict[str, Any], events: Events
    ) -> None:
        log = loki(project) / "logs" / "agent.log"
        _append(log, f"\x1b[0;32m[INFO]\x1b[0m starting with key {SECRET}\n[ERROR] boom\n")

        async def two() -> list[Log] | None:
            rows = await _logs(db, project, "agent.log")
            return rows if len(rows) == 2 else None

        first, second = await eventually(two)
        assert first.message == "[INFO] starting with key [REDACTED]"
        assert first.raw is not None
        assert "\x1b[0;32m" in first.raw
        assert SECRET not in first.raw
        assert (first.level, second.level) == ("info", "error")
        # A plain line keeps no raw copy, and no line has metadata: SQL NULL, not JSON null
        # (one insert carries coloured and plain lines alike).
        assert second.raw is None
        no_meta = await db.rows(Log, Log.project_id == first.project_id, Log.meta.is_(None))
        assert len(no_meta) == 2

        async def published() -> list[Any] | None:  # events follow the commit by a moment
            found = events.of("log:entry")
            return found if len(found) >= 2 else None

        entries = await eventually(published)
        assert [e.data["id"] for e in entries] == [first.id, second.id]
        assert all(isinstance(e.data["id"], int) for e in entries)
        assert entries[0].data["raw"] is not None  # the API's log shape, colours included
        assert entries[0].data["message"] == first.message

    async def test_trimmed_log_continues_without_duplicates(
        self, db: Db, project: dict[str, Any]
    ) -> None:
        log = loki(project) / "logs" / "agent.log"
        _append(log, "".join(f"line {i}\n" for i in range(200)))
        await eventually(lambda: _count(db, project, 200))
        # The runner trims to the tail: temp file + mv (a new, smaller file).
        tail = log.read_text().splitlines(keepends=True)[-20:]
        tmp = log.with_name("agent.log.trim")
        tmp.write_text("".join(tail))
        os.replace(tmp, log)
        _append(log, "after trim\n")
        await eventually(lambda: _has(db, project, "after trim"))
        rows = await _logs(db, project, "agent.log")
        assert [r.message for r in rows].count("line 199") == 1

    async def test_newest_log_is_followed_and_torn_line_waits(
        self, db: Db, project: dict[str, Any], watcher: WatcherService
    ) -> None:
        logs = loki(project) / "logs"
        _append(logs / "autonomy-20261124.log", "[STEP] one\n[WARN] half")
        await eventually(lambda: _has(db, project, "[STEP] one"))
        await watcher.settle()
        assert not await _has(db, project, "[WARN] half")
        _append(logs / "autonomy-20261124.log", " done\n")
        await eventually(lambda: _has(db, project, "[WARN] half done"))
        rows = await _logs(db, project, "autonomy-20261124.log")
        assert [r.level for r in rows] == ["step", "warn"]

    async def test_next_days_log_is_followed_from_its_start(
        self, db: Db, project: dict[str, Any]
    ) -> None:
        logs = loki(project) / "logs"
        _append(logs / "autonomy-20261124.log", "[INFO] monday\n")
        await eventually(lambda: _has(db, project, "[INFO] monday"))
        _append(logs / "autonomy-20261125.log", "[INFO] tuesday 1\n[INFO] tuesday 2\n")
        await eventually(lambda: _has(db, project, "[INFO] tuesday 2"))
        rows = await _logs(db, project, "autonomy-20261125.log")
        assert [r.message for r in rows] == ["[INFO] tuesday 1", "[INFO] tuesday 2"]

    async def test_hundred_megabyte_log_is_read_from_its_tail_in_bounded_memory(
        self, db: Db, project: dict[str, Any], watcher: WatcherService
    ) -> None:
        logs = loki(project) / "logs"
        logs.mkdir()
        staging = loki(project).parent / "big.log"
        line = ("[INFO] " + "y" * 92 + "\n").encode()
        block = line * 10_000  # ~1 MB
        with staging.open("wb") as handle:
            for _ in range(100):
                handle.write(block)
        peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        os.replace(staging, logs / "agent.log")
        await eventually(lambda: _count(db, project, 1))
        await watcher.settle()
        peak_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        assert (peak_after - peak_before) < 64 * 1024  # KiB: far below the file's 100 MB
        assert len(await _logs(db, project, "agent.log")) <= 256 * 1024 // len(line) + 1


class TestCatchUp:
    @pytest.fixture
    def settings(self, loki_home: Path, database_url: str) -> Settings:
        """A small WebSocket replay store: what stays in memory here is the watcher's own."""
        return load_settings(home=str(loki_home), database_url=database_url, ws_replay_size=10)

    async def test_large_append_after_a_cursor_is_caught_up_in_bounded_memory(
        self, app: FastAPI, db: Db, project: dict[str, Any], watcher: WatcherService
    ) -> None:
        log = loki(project) / "logs" / "agent.log"
        _append(log, "[INFO] before\n")
        await eventually(lambda: _has(db, project, "[INFO] before"))
        await watcher.settle()

        async def stored(n: int) -> bool:
            async with app.state.database.read_sessions() as session:
                query = select(func.count(Log.id), func.count(distinct(Log.message)))
                total, distinct_lines = (await session.execute(query)).one()
            assert total == distinct_lines  # never a line twice
            return bool(total == n)

        # ~24 MB appended at once, far past the first-read backlog: every line must arrive,
        # read and written a chunk at a time.
        tracemalloc.start()
        try:
            with log.open("a") as handle:
                for chunk in range(20):
                    lines = (f"[INFO] {chunk:02}-{i:04} {'z' * 1180}\n" for i in range(1000))
                    handle.write("".join(lines))
            await eventually(lambda: stored(20_001), timeout=60)
            await watcher.settle()
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert peak < 16 * 2**20  # held at once, at most: well below the 24 MB appended


class TestEventsJsonl:
    async def test_phases_iteration_and_torn_last_line(
        self, db: Db, project: dict[str, Any], watcher: WatcherService
    ) -> None:
        path = loki(project) / "events.jsonl"
        records = [  # an earlier run's lines first: they must not set this run's phase
            {"timestamp": "2026-11-23T09:00:00Z", "type": "phase_change", "data": {"to": "FAILED"}},
            {
                "timestamp": "2026-11-23T09:00:01Z",
                "type": "iteration_start",
                "data": {"iteration": 9},
            },
            {"timestamp": "2026-11-24T10:00:00Z", "type": "session_start", "data": {}},
            {
                "timestamp": "2026-11-24T10:00:01Z",
                "type": "iteration_start",
                "data": {"iteration": 4},
            },
            {
                "timestamp": "2026-11-24T10:00:02Z",
                "type": "phase_change",
                "data": {"from": "BOOTSTRAP", "to": "BUILDING"},
            },
            {"timestamp": "2026-11-24T10:00:03Z", "type": "note", "data": "a string"},
        ]
        _append(path, "".join(json.dumps(r) + "\n" for r in records) + '{"type": "iter')

        async def session() -> RunSession | None:
            rows = await db.rows(RunSession, RunSession.project_id == uuid.UUID(project["id"]))
            return rows[0] if rows and rows[0].phase == "BUILDING" else None

        row = await eventually(session)
        assert row.iteration == 4
        await watcher.settle()
        history = await _logs(db, project, "events")
        assert [r.meta["event"] for r in history if r.meta] == [
            "phase_change",
            "iteration_start",
            "session_start",
            "iteration_start",
            "phase_change",
            "note",
        ]
        assert history[5].meta is not None
        assert history[5].meta["data"] == {"message": "a string"}
        _append(path, 'ation_complete", "data": {"iteration": 4}}\n')
        await eventually(lambda: _has(db, project, "iteration_complete: iteration=4"))

    async def test_secrets_in_event_data_are_redacted(
        self, db: Db, project: dict[str, Any]
    ) -> None:
        secret = "sk-ant-api03-" + "k" * 40
        data = {"tool": "Bash", "input": f"curl -H 'x-api-key: {secret}'", "api_key": "hunter2x"}
        record = {"timestamp": "2026-11-24T10:00:00Z", "type": "tool_use", "data": data}
        _append(loki(project) / "events.jsonl", json.dumps(record) + "\n")

        async def stored() -> list[Log] | None:
            return await _logs(db, project, "events") or None

        (row,) = await eventually(stored)
        assert row.meta is not None
        stored_text = json.dumps(row.meta) + row.message + (row.raw or "")
        assert secret not in stored_text
        assert "hunter2x" not in stored_text
        assert row.meta["data"]["api_key"] == "[REDACTED]"
        assert row.meta["data"]["tool"] == "Bash"

    async def test_rotation_to_dot_one(self, db: Db, project: dict[str, Any]) -> None:
        path = loki(project) / "events.jsonl"
        _append(path, json.dumps({"type": "before_rotation"}) + "\n")
        await eventually(lambda: _has(db, project, "before_rotation"))
        os.rename(path, path.with_name("events.jsonl.1"))
        _append(path, json.dumps({"type": "after_rotation"}) + "\n")
        await eventually(lambda: _has(db, project, "after_rotation"))

    async def test_lines_appended_just_before_rotation_are_not_lost(
        self, db: Db, project: dict[str, Any]
    ) -> None:
        path = loki(project) / "events.jsonl"
        _append(path, json.dumps({"type": "first"}) + "\n")
        await eventually(lambda: _has(db, project, "first"))
        # Appended and rotated within microseconds: the watcher looks only after the rename.
        _append(path, json.dumps({"type": "last_before_rotation"}) + "\n")
        os.rename(path, path.with_name("events.jsonl.1"))
        _append(path, json.dumps({"type": "first_after_rotation"}) + "\n")
        await eventually(lambda: _has(db, project, "first_after_rotation"))
        messages = [r.message for r in await _logs(db, project, "events")]
        assert messages == ["first", "last_before_rotation", "first_after_rotation"]


async def _count(db: Db, project: dict[str, Any], n: int) -> bool:
    return len(await _logs(db, project)) >= n


async def _has(db: Db, project: dict[str, Any], message: str) -> bool:
    return any(r.message == message for r in await _logs(db, project))
