from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from loki_dashboard.loki.learnings import LearningRecord
from loki_dashboard.models import Learning, RemovedProject, Task
from loki_dashboard.watcher.imports import _legacy_fingerprint
from loki_dashboard.watcher.service import WatcherService
from tests.watcher.conftest import Db, eventually, write_json

HEADER = json.dumps({"version": "1.0", "created": "2026-11-24T00:00:00Z"})


class TestLearnings:
    async def test_imported_once_header_skipped_and_followed(
        self, db: Db, loki_home: Path, watcher: WatcherService
    ) -> None:
        folder = loki_home / "learnings"
        folder.mkdir()
        record = {
            "timestamp": "2026-11-24T00:00:00Z",
            "project": "shop",
            "category": "session",
            "description": "Run migrations in CI",
        }
        (folder / "patterns.jsonl").write_text(HEADER + "\n" + json.dumps(record) + "\n")
        (folder / "mistakes.jsonl").write_text(HEADER + "\n")

        async def one() -> list[Learning] | None:
            rows = await db.rows(Learning)
            return rows if len(rows) == 1 else None

        (row,) = await eventually(one)
        assert (row.type, row.category, row.description) == (
            "patterns",
            "session",
            "Run migrations in CI",
        )
        with (folder / "patterns.jsonl").open("a") as handle:
            handle.write(json.dumps(record) + "\n")  # the next session's copy of the same
            handle.write(json.dumps(record | {"description": "Pin the lockfile"}) + "\n")

        async def two() -> list[Learning] | None:
            rows = await db.rows(Learning)
            return rows if len(rows) == 2 else None

        rows = await eventually(two)
        await watcher.settle()
        assert sorted(r.description for r in rows) == ["Pin the lockfile", "Run migrations in CI"]

    async def test_a_learning_added_through_the_api_is_not_imported_again(
        self, client: httpx.AsyncClient, db: Db, loki_home: Path, watcher: WatcherService
    ) -> None:
        body = {"type": "mistakes", "category": "session", "description": "Forgot the lockfile"}
        assert (await client.post("/api/learnings", json=body)).status_code == 201
        # Stored by an earlier version of the import, under its own fingerprint.
        older = {"type": "mistakes", "category": "session", "description": "Skipped CI"}
        legacy = _legacy_fingerprint(LearningRecord(**older, project=None, timestamp=None))
        async with watcher.database.write_sessions() as session:
            session.add(Learning(**older, fingerprint=legacy))
            await session.commit()
        folder = loki_home / "learnings"
        folder.mkdir()
        lines = [HEADER, json.dumps(body), json.dumps(older), json.dumps(body | {"x": 1})]
        lines.append(json.dumps(body | {"description": "New one"}))
        (folder / "mistakes.jsonl").write_text("\n".join(lines) + "\n")

        async def three() -> list[Learning] | None:
            rows = await db.rows(Learning)
            return rows if len(rows) == 3 else None

        await eventually(three)
        await watcher.settle()
        rows = await db.rows(Learning)
        assert sorted(r.description for r in rows) == [
            "Forgot the lockfile",
            "New one",
            "Skipped CI",
        ]


class TestRegistryImport:
    async def test_projects_json_entries_become_watched_projects(
        self, client: httpx.AsyncClient, db: Db, loki_home: Path, tmp_path: Path
    ) -> None:
        shop = tmp_path / "shop"
        (shop / ".loki").mkdir(parents=True)
        registry = {
            "version": "1.0",
            "projects": {
                "abc": {"path": str(shop), "name": "Shop", "status": "running", "pid": 1},
                "gone": {"path": str(tmp_path / "deleted"), "status": "running"},
                "home": {"path": str(loki_home)},
            },
        }
        write_json(loki_home / "dashboard" / "projects.json", registry)

        async def imported() -> list[dict[str, Any]] | None:
            body: list[dict[str, Any]] = (await client.get("/api/projects")).json()
            return body if body else None

        (project,) = await eventually(imported)
        assert (project["name"], project["path"]) == ("Shop", str(shop))
        write_json(shop / ".loki" / "queue" / "pending.json", [{"id": "prd-001"}])

        async def mirrored() -> list[Task] | None:
            return await db.rows(Task) or None

        (task,) = await eventually(mirrored)
        assert task.external_id == "prd-001"

    async def test_a_removed_project_is_not_imported_again_until_added_by_hand(
        self,
        client: httpx.AsyncClient,
        db: Db,
        loki_home: Path,
        tmp_path: Path,
        watcher: WatcherService,
    ) -> None:
        shop, blog = tmp_path / "shop", tmp_path / "blog"
        for folder in (shop, blog):
            folder.mkdir()
        registry_file = loki_home / "dashboard" / "projects.json"
        write_json(registry_file, {"version": "1.0", "projects": {"a": {"path": str(shop)}}})

        async def listed(n: int) -> list[dict[str, Any]] | None:
            body: list[dict[str, Any]] = (await client.get("/api/projects")).json()
            return body if len(body) == n else None

        (project,) = await eventually(lambda: listed(1))
        assert (await client.delete(f"/api/projects/{project['id']}")).status_code == 204
        # The next run re-registers itself, and another project appears.
        entries = {"a": {"path": str(shop), "status": "running"}, "b": {"path": str(blog)}}
        write_json(registry_file, {"version": "1.0", "projects": entries})
        (other,) = await eventually(lambda: listed(1))
        assert other["path"] == str(blog)
        await watcher._import_home(force=True)  # what a server start does
        await watcher.settle()
        assert [p["path"] for p in await eventually(lambda: listed(1))] == [str(blog)]
        # Added by hand: registered again, and no longer remembered as removed.
        added = await client.post("/api/projects", json={"path": str(shop)})
        assert added.status_code == 201
        assert await db.rows(RemovedProject) == []
