from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx

from loki_dashboard.models import Task
from loki_dashboard.watcher.service import WatcherService
from tests.fixtures.factories import create_project
from tests.watcher.conftest import Db, Events, eventually, loki, write_json


def _tasks(db: Db, project: dict[str, Any]) -> Any:
    async def check() -> dict[str, Task]:
        rows = await db.rows(Task, Task.project_id == uuid.UUID(project["id"]))
        return {row.external_id: row for row in rows if row.external_id}

    return check


class TestQueueMirroring:
    async def test_both_shapes_groups_and_duplicates(
        self, db: Db, project: dict[str, Any], events: Events
    ) -> None:
        queue = loki(project) / "queue"
        write_json(queue / "pending.json", [{"id": "prd-001", "title": "Login"}, "junk"])
        write_json(
            queue / "in-progress.json",
            {"tasks": [{"id": "iteration-1", "payload": {"action": "Build"}}]},
        )
        write_json(queue / "completed.json", [{"id": "iteration-0"}, {"id": "dup"}])
        write_json(queue / "failed.json", [{"id": "dup"}])
        write_json(queue / "dead-letter.json", {"tasks": [{"id": "dl-1", "type": "todo"}]})

        async def all_there() -> dict[str, Task] | None:
            rows = await _tasks(db, project)()
            return rows if len(rows) == 5 else None

        rows = await eventually(all_there)
        assert {k: r.status for k, r in rows.items()} == {
            "prd-001": "pending",
            "iteration-1": "in_progress",
            "iteration-0": "completed",
            "dup": "failed",
            "dl-1": "failed",
        }
        assert rows["iteration-1"].title == "Build"
        assert rows["dl-1"].title == "todo"
        assert len(events.of("task:created")) == 5

    async def test_review_file_and_current_task(self, db: Db, project: dict[str, Any]) -> None:
        queue = loki(project) / "queue"
        write_json(queue / "pending.json", [{"id": "prd-002"}])
        write_json(queue / "review.json", {"tasks": [{"id": "prd-001", "title": "Login"}]})
        write_json(queue / "current-task.json", {"id": "iteration-3", "title": "Build login"})

        async def three() -> dict[str, Task] | None:
            rows = await _tasks(db, project)()
            return rows if len(rows) == 3 else None

        rows = await eventually(three)
        assert {k: r.status for k, r in rows.items()} == {
            "prd-002": "pending",
            "prd-001": "review",
            "iteration-3": "in_progress",
        }
        write_json(queue / "current-task.json", {})  # between iterations: nobody is removed
        write_json(queue / "completed.json", [{"id": "iteration-3"}])

        async def completed() -> bool:
            rows = await _tasks(db, project)()
            return rows["iteration-3"].status == "completed"

        await eventually(completed)
        assert len(await _tasks(db, project)()) == 3

    async def test_moves_completes_and_keeps_tasks_that_leave_the_files(
        self, db: Db, project: dict[str, Any], events: Events, watcher: WatcherService
    ) -> None:
        queue = loki(project) / "queue"
        write_json(queue / "pending.json", [{"id": "a", "title": "A"}, {"id": "b"}])
        await eventually(lambda: _count(db, project, 2))
        write_json(queue / "pending.json", [{"id": "b"}])
        write_json(queue / "in-progress.json", [{"id": "a", "title": "A"}])

        async def moved() -> bool:
            rows = await _tasks(db, project)()
            return rows["a"].status == "in_progress"

        await eventually(moved)
        write_json(queue / "in-progress.json", [])
        write_json(queue / "completed.json", [{"id": "a", "title": "A"}])

        async def completed() -> bool:
            return (await _tasks(db, project)())["a"].status == "completed"

        await eventually(completed)
        write_json(queue / "completed.json", [])  # the runner caps completed.json at 50
        await watcher.settle()
        rows = await _tasks(db, project)()
        assert rows["a"].status == "completed"
        assert rows["a"].completed_at is not None
        moves = [e.data for e in events.of("task:moved") if e.data["external_id"] == "a"]
        assert [(m["from_status"], m["status"]) for m in moves] == [
            ("pending", "in_progress"),
            ("in_progress", "completed"),
        ]
        assert [e.data["external_id"] for e in events.of("task:completed")] == ["a"]

    async def test_unchanged_rewrite_publishes_nothing(
        self, db: Db, project: dict[str, Any], events: Events, watcher: WatcherService
    ) -> None:
        queue = loki(project) / "queue"
        write_json(queue / "pending.json", [{"id": "a"}])
        await eventually(lambda: _count(db, project, 1))
        await watcher.settle()
        before = len(events.items)
        for _ in range(3):
            write_json(queue / "pending.json", [{"id": "a"}])
        await watcher.reconcile()
        await watcher.settle()
        assert events.items[before:] == []

    async def test_title_change_is_an_update(
        self, db: Db, project: dict[str, Any], events: Events
    ) -> None:
        queue = loki(project) / "queue"
        write_json(queue / "pending.json", [{"id": "a", "title": "Old"}])
        await eventually(lambda: _count(db, project, 1))
        write_json(queue / "pending.json", [{"id": "a", "title": "New"}])

        async def renamed() -> bool:
            return (await _tasks(db, project)())["a"].title == "New"

        await eventually(renamed)
        assert events.of("task:updated")[-1].data["title"] == "New"

    async def test_folder_created_with_files_already_in_it(
        self, client: httpx.AsyncClient, db: Db, tmp_path: Path
    ) -> None:
        folder = tmp_path / "late"
        project = await create_project(client, folder)
        staging = tmp_path / "staging-loki"
        write_json(staging / "queue" / "pending.json", [{"id": "early"}])
        staging.rename(folder / ".loki")  # appears with its files already inside
        await eventually(lambda: _count(db, project, 1))

    async def test_project_without_loki_folder_is_not_given_one(
        self, client: httpx.AsyncClient, watcher: WatcherService, tmp_path: Path
    ) -> None:
        folder = tmp_path / "plain"
        await create_project(client, folder)
        await watcher.reconcile()
        await watcher.settle()
        assert not (folder / ".loki").exists()


async def _count(db: Db, project: dict[str, Any], n: int) -> bool:
    return len(await _tasks(db, project)()) == n
