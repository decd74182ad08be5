"""Dashboard tasks reach the run's queue/pending.json, in the runner's shape and order."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from loki_dashboard.config import Settings, load_settings
from loki_dashboard.loki import queue_lock
from loki_dashboard.models import Task
from tests.fixtures.factories import create_project, create_task, insert


@pytest.fixture
def settings(loki_home: Path, database_url: str) -> Settings:
    """No watcher here: these tests check what the API writes, not what is read back."""
    return load_settings(home=str(loki_home), database_url=database_url, watcher_enabled=False)


@pytest.fixture
def queue(project_dir: Path) -> Path:
    folder = project_dir / ".loki" / "queue"
    folder.mkdir(parents=True)
    (folder / "pending.json").write_text(
        json.dumps({"tasks": [{"id": "prd-001", "title": "from the PRD"}]})
    )
    return folder


@pytest.fixture
async def project(client: httpx.AsyncClient, project_dir: Path, queue: Path) -> dict[str, Any]:
    """A registered project whose run already has a queue (set up before registering)."""
    assert queue.is_dir()
    return await create_project(client, project_dir)


def pending_ids(queue: Path) -> list[str]:
    return [t["id"] for t in json.loads((queue / "pending.json").read_text())["tasks"]]


async def board(client: httpx.AsyncClient, project_id: str) -> list[str]:
    response = await client.get(
        "/api/tasks", params={"project_id": project_id, "status": "pending"}
    )
    return [t["title"] for t in response.json()["items"]]


async def test_created_task_goes_to_the_front_of_the_file_and_the_column(
    client: httpx.AsyncClient, project: dict[str, Any], queue: Path
) -> None:
    first = await create_task(client, project["id"], "first", description="d", priority="high")
    second = await create_task(client, project["id"], "second")
    assert pending_ids(queue) == [second["external_id"], first["external_id"], "prd-001"]
    written = json.loads((queue / "pending.json").read_text())["tasks"][1]
    assert written["source"] == "dashboard"
    assert written["status"] == "pending"
    assert written["priority"] == "high"
    assert written["payload"] == {"action": "first"}
    assert (await board(client, project["id"]))[:2] == ["second", "first"]


async def test_reorder_move_out_and_delete_follow_in_the_file(
    client: httpx.AsyncClient, project: dict[str, Any], queue: Path
) -> None:
    a = await create_task(client, project["id"], "a")
    b = await create_task(client, project["id"], "b")
    c = await create_task(client, project["id"], "c")
    assert pending_ids(queue)[:3] == [c["external_id"], b["external_id"], a["external_id"]]
    moved = await client.put(
        f"/api/tasks/{a['id']}/move", json={"status": "pending", "column_order": 0}
    )
    assert moved.status_code == 200
    assert pending_ids(queue)[:3] == [a["external_id"], c["external_id"], b["external_id"]]
    await client.put(f"/api/tasks/{c['id']}/move", json={"status": "review", "column_order": 0})
    assert c["external_id"] not in pending_ids(queue)
    await client.delete(f"/api/tasks/{b['id']}")
    assert pending_ids(queue) == [a["external_id"], "prd-001"]


async def test_moving_a_task_the_run_owns_is_409(
    app: FastAPI, client: httpx.AsyncClient, project: dict[str, Any]
) -> None:
    owned = Task(project_id=uuid.UUID(project["id"]), title="iteration 3", status="in_progress",
                 source="iteration", external_id="iteration-3")  # fmt: skip
    await insert(app, owned)
    response = await client.put(
        f"/api/tasks/{owned.id}/move", json={"status": "completed", "column_order": 0}
    )
    assert response.status_code == 409
    assert "the run moves its own tasks" in response.json()["error"]["message"]


async def test_a_held_lock_is_503_and_changes_nothing(
    client: httpx.AsyncClient,
    project: dict[str, Any],
    queue: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(queue_lock, "TIMEOUT_SECONDS", 0.3)
    lock = queue / queue_lock.LOCK_NAME
    lock.mkdir()
    (lock / "owner.pid").write_text(str(os.getpid()))
    before = (queue / "pending.json").read_text()
    response = await client.post("/api/tasks", json={"project_id": project["id"], "title": "x"})
    assert response.status_code == 503
    assert "locked" in response.json()["error"]["message"]
    assert (queue / "pending.json").read_text() == before
    assert await board(client, project["id"]) == []


async def test_project_without_a_run_folder_writes_no_file(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    plain = await create_project(client, tmp_path / "plain")
    task = await create_task(client, plain["id"], "t")
    assert task["external_id"] is None
    assert not (tmp_path / "plain" / ".loki").exists()


async def test_editing_a_pending_task_rewrites_its_entry_in_place(
    client: httpx.AsyncClient, project: dict[str, Any], queue: Path
) -> None:
    task = await create_task(client, project["id"], "draft title")
    entries = json.loads((queue / "pending.json").read_text())["tasks"]
    entries[0]["claimed_by"] = "runner"  # a field the runner added is kept
    (queue / "pending.json").write_text(json.dumps({"tasks": entries}))

    edited = await client.patch(
        f"/api/tasks/{task['id']}", json={"title": "final title", "priority": "critical"}
    )
    assert edited.status_code == 200
    written = json.loads((queue / "pending.json").read_text())["tasks"]
    assert [t["id"] for t in written] == [task["external_id"], "prd-001"]
    assert written[0]["title"] == "final title"
    assert written[0]["priority"] == "critical"
    assert written[0]["payload"] == {"action": "final title"}
    assert written[0]["claimed_by"] == "runner"


async def test_a_status_change_by_patch_follows_the_move_rules(
    client: httpx.AsyncClient, project: dict[str, Any], queue: Path
) -> None:
    task = await create_task(client, project["id"], "ship it")
    done = await client.patch(f"/api/tasks/{task['id']}", json={"status": "review"})
    assert done.status_code == 200
    assert pending_ids(queue) == ["prd-001"]
