"""The watcher and control over hostile run folders: FIFOs, devices and links of every kind.

The real app (its watcher, both databases) over real folders a compromised run could leave:
the watcher keeps mirroring what is genuine, imports nothing through a link, never spins, and
the API refuses to write through a link with a 409 naming the path.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from loki_dashboard.models import Log, RunSession, Task
from loki_dashboard.watcher.service import WatcherService
from tests.fixtures.factories import create_project
from tests.loki.hostile import KEY_BODY, PRIVATE_KEY, SECRET_LINE, plant, release_fifos
from tests.watcher.conftest import Db, eventually, loki, write_json

SETTLE_SECONDS = 30.0


@pytest.fixture
def outside(tmp_path: Path) -> Iterator[Path]:
    """A folder outside every project (stands for /etc, ~/.ssh, another user's files)."""
    folder = tmp_path / "outside"
    folder.mkdir()
    yield folder
    release_fifos(tmp_path)


@pytest.fixture
def stack() -> Iterator[contextlib.ExitStack]:
    with contextlib.ExitStack() as opened:
        yield opened


@pytest.fixture
def warnings(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.WARNING)
    return caplog


def _mentions(caplog: pytest.LogCaptureFixture, text: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if text in r.getMessage()]


async def _settled(watcher: WatcherService) -> None:
    """Every sync scheduled so far has finished: a watcher stuck on a file never gets here."""
    await asyncio.wait_for(watcher.settle(), SETTLE_SECONDS)


async def _rows(db: Db, model: Any, project: dict[str, Any]) -> list[Any]:
    return await db.rows(model, model.project_id == uuid.UUID(project["id"]))


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() if p.is_file() else b"<dir>"
        for p in sorted(folder.rglob("*"))
        if not p.is_fifo() and not p.is_socket()
    }


class TestReading:
    async def test_fifos_at_every_session_file_neither_block_nor_hide_the_rest(
        self,
        client: httpx.AsyncClient,
        db: Db,
        project: dict[str, Any],
        watcher: WatcherService,
        warnings: pytest.LogCaptureFixture,
    ) -> None:
        folder = loki(project)
        fifos = [
            "loki.pid",
            "run-1.pid",
            "session.json",
            "autonomy-state.json",
            "dashboard-state.json",
            "sessions/s1/loki.pid",
            "sessions/s1/autonomy-state.json",
            "state/orchestrator.json",
            "state/agents.json",
            "queue/pending.json",
            "queue/current-task.json",
            "logs/agent.log",
            "events.jsonl",
        ]
        for rel in fifos:
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            os.mkfifo(folder / rel)
        write_json(folder / "queue" / "completed.json", [{"id": "real", "title": "genuine"}])

        async def genuine_task_mirrored() -> bool:
            return [t.external_id for t in await _rows(db, Task, project)] == ["real"]

        await eventually(genuine_task_mirrored)
        await _settled(watcher)
        assert (await client.get(f"/api/projects/{project['id']}")).status_code == 200
        watcher.mirrors[uuid.UUID(project["id"])].notify(None)  # a full sync over them again
        await _settled(watcher)
        for rel in ("loki.pid", "queue/pending.json", "autonomy-state.json"):
            assert len(_mentions(warnings, str(folder / rel))) == 1, rel  # logged once

    async def test_agent_log_linked_to_dev_zero_is_not_read(
        self,
        db: Db,
        project: dict[str, Any],
        watcher: WatcherService,
        warnings: pytest.LogCaptureFixture,
    ) -> None:
        log = loki(project) / "logs" / "agent.log"
        log.parent.mkdir()
        log.symlink_to("/dev/zero")
        (loki(project) / "logs" / "run-1.log").write_text("[INFO] a genuine line\n")

        async def genuine_line() -> bool:
            return any(r.message == "[INFO] a genuine line" for r in await _rows(db, Log, project))

        await eventually(genuine_line)
        await _settled(watcher)  # a watcher spinning on /dev/zero never settles
        assert [r.source for r in await _rows(db, Log, project)] == ["run-1.log"]
        assert len(_mentions(warnings, str(log))) == 1
        log.unlink()  # a real log again: followed as ever
        log.write_text("[INFO] real agent output\n")

        async def agent_line() -> bool:
            return any(r.source == "agent.log" for r in await _rows(db, Log, project))

        await eventually(agent_line)

    @pytest.mark.parametrize("how", ["file_link", "folder_link"])
    async def test_a_private_key_outside_the_project_is_never_imported(
        self,
        db: Db,
        project: dict[str, Any],
        watcher: WatcherService,
        outside: Path,
        stack: contextlib.ExitStack,
        how: str,
    ) -> None:
        logs = loki(project) / "logs"
        if how == "file_link":
            plant(logs / "agent.log", "secret_outside", outside=outside, stack=stack)
        else:  # logs/ itself leads to ~/.ssh, where a *.log holds the key
            ssh = outside / "ssh"
            ssh.mkdir()
            (ssh / "agent.log").write_text(f"{SECRET_LINE}\n{PRIVATE_KEY}")
            logs.symlink_to(ssh)
        write_json(loki(project) / "queue" / "pending.json", [{"id": "marker"}])
        await eventually(lambda: _has_task(db, project, "marker"))
        await _settled(watcher)
        stored = " ".join(f"{r.message} {r.raw}" for r in await _rows(db, Log, project))
        assert SECRET_LINE not in stored
        assert not any(line in stored for line in KEY_BODY)

    async def test_a_key_written_into_a_real_log_is_stored_redacted(
        self, db: Db, project: dict[str, Any], watcher: WatcherService
    ) -> None:
        log = loki(project) / "logs" / "agent.log"
        log.parent.mkdir()
        log.write_text("[INFO] cat ~/.ssh/id_rsa\n")
        for line in PRIVATE_KEY.splitlines():  # a line at a time, each seen by the watcher
            with log.open("a") as handle:
                handle.write(line + "\n")
            await _settled(watcher)
        with log.open("a") as handle:
            handle.write("[INFO] done\n")

        async def done() -> list[Log] | None:
            rows = await _rows(db, Log, project)
            return rows if any(r.message == "[INFO] done" for r in rows) else None

        rows = await eventually(done)
        stored = " ".join(f"{r.message} {r.raw}" for r in rows)
        assert not any(line in stored for line in KEY_BODY)
        assert rows[0].message == "[INFO] cat ~/.ssh/id_rsa"

    async def test_a_loki_linked_to_another_projects_loki_is_not_mirrored(
        self, client: httpx.AsyncClient, db: Db, tmp_path: Path, watcher: WatcherService
    ) -> None:
        theirs = tmp_path / "theirs"
        write_json(theirs / ".loki" / "queue" / "pending.json", [{"id": "their-task"}])
        their_project = await create_project(client, theirs)
        await eventually(lambda: _has_task(db, their_project, "their-task"))
        ours = tmp_path / "ours"
        ours.mkdir()
        (ours / ".loki").symlink_to(theirs / ".loki")
        our_project = await create_project(client, ours)
        await eventually(lambda: _watching(watcher, str(theirs / ".loki")))
        await _settled(watcher)
        assert await _rows(db, Task, our_project) == []
        assert str(ours / ".loki") not in watcher._watched

    async def test_a_link_to_a_folder_inside_loki_is_never_walked_by_the_watch(
        self,
        client: httpx.AsyncClient,
        db: Db,
        project: dict[str, Any],
        watcher: WatcherService,
        outside: Path,
        tmp_path: Path,
    ) -> None:
        folder = loki(project)
        (folder / "state").mkdir()
        (folder / "state" / "evil").symlink_to(outside)  # stands for `-> /`
        await create_project(client, tmp_path / "another")  # a restart of the watch
        await eventually(lambda: _guarding(watcher, str(folder)))
        write_json(folder / "queue" / "pending.json", [{"id": "after-restart"}])
        await eventually(lambda: _has_task(db, project, "after-restart"))  # new folder: seen
        write_json(outside / "pending.json", [{"id": "outside"}])
        await _settled(watcher)
        assert [t.external_id for t in await _rows(db, Task, project)] == ["after-restart"]


class TestWriting:
    async def test_a_task_for_a_loki_linked_to_etc_is_refused_and_writes_nothing(
        self, client: httpx.AsyncClient, tmp_path: Path, outside: Path
    ) -> None:
        folder = tmp_path / "victim"
        folder.mkdir()
        project = await create_project(client, folder)
        (folder / ".loki").symlink_to(outside)
        before = _tree(outside)
        response = await client.post(
            "/api/tasks", json={"project_id": project["id"], "title": "sneaky"}
        )
        assert response.status_code == 409, response.text
        assert str(folder / ".loki") in response.json()["error"]["message"]
        assert _tree(outside) == before  # no etc/queue/pending.json
        board = (await client.get("/api/tasks", params={"project_id": project["id"]})).json()
        assert board["items"] == []  # rolled back: the user was told it failed

    async def test_a_queue_linked_into_another_project_is_refused(
        self, client: httpx.AsyncClient, tmp_path: Path
    ) -> None:
        theirs = tmp_path / "theirs" / ".loki" / "queue"
        write_json(theirs / "pending.json", [{"id": "theirs"}])
        ours = tmp_path / "ours"
        (ours / ".loki").mkdir(parents=True)
        (ours / ".loki" / "queue").symlink_to(theirs)
        project = await create_project(client, ours)
        response = await client.post("/api/tasks", json={"project_id": project["id"], "title": "x"})
        assert response.status_code == 409
        assert "queue is a symbolic link" in response.json()["error"]["message"]
        assert json.loads((theirs / "pending.json").read_text()) == [{"id": "theirs"}]

    async def test_a_fifo_pending_json_answers_409_at_once(
        self, client: httpx.AsyncClient, project: dict[str, Any]
    ) -> None:
        queue = loki(project) / "queue"
        queue.mkdir()
        os.mkfifo(queue / "pending.json")
        try:
            response = await asyncio.wait_for(
                client.post("/api/tasks", json={"project_id": project["id"], "title": "x"}), 20
            )
        finally:
            release_fifos(queue)
        assert response.status_code == 409
        assert "pending.json is a FIFO" in response.json()["error"]["message"]

    @pytest.mark.parametrize(
        ("action", "body"),
        [
            ("pause", None),
            ("resume", None),
            ("input", {"text": "hi"}),
            ("model", {"model": "opus"}),
        ],
    )
    async def test_control_through_a_linked_loki_is_refused(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        project: dict[str, Any],
        outside: Path,
        action: str,
        body: dict[str, Any] | None,
    ) -> None:
        started = await client.post(
            "/api/sessions", json={"project_id": project["id"], "start": False}
        )
        session = started.json()
        # A run that was seen running (a run still starting is not steered at all).
        async with app.state.database.write_sessions() as db_session:
            await db_session.execute(
                update(RunSession)
                .where(RunSession.id == uuid.UUID(session["id"]))
                .values(status="running")
            )
            await db_session.commit()
        folder = loki(project)
        folder.rmdir()
        folder.symlink_to(outside)
        (outside / "PAUSE").write_text("kept\n")  # resume must not delete it there
        before = _tree(outside)
        response = await client.post(f"/api/sessions/{session['id']}/{action}", json=body)
        assert response.status_code == 409, response.text
        error = response.json()["error"]
        assert error["details"] == {"path": str(folder)}
        assert "symbolic link" in error["message"]
        assert _tree(outside) == before


async def _has_task(db: Db, project: dict[str, Any], external_id: str) -> bool:
    return any(t.external_id == external_id for t in await _rows(db, Task, project))


async def _watching(watcher: WatcherService, folder: str) -> bool:
    return folder in watcher._watched and watcher._rescan_due is None


async def _guarding(watcher: WatcherService, folder: str) -> bool:
    return folder in watcher._guarded
