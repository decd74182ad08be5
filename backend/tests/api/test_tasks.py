from __future__ import annotations

import asyncio
import random
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from loki_dashboard.models import Task
from loki_dashboard.realtime.events import DomainEvent
from tests.fixtures.factories import create_project, create_task, insert

STATUSES = ["pending", "in_progress", "review", "completed", "failed"]


@pytest.fixture
async def project(client: httpx.AsyncClient, project_dir: Path) -> dict[str, Any]:
    return await create_project(client, project_dir)


async def column(client: httpx.AsyncClient, project_id: str, status: str) -> list[dict[str, Any]]:
    response = await client.get(
        "/api/tasks", params={"project_id": project_id, "status": status, "limit": 500}
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def titles(items: list[dict[str, Any]]) -> list[str]:
    return [item["title"] for item in items]


def assert_dense(items: list[dict[str, Any]]) -> None:
    assert [item["column_order"] for item in items] == list(range(len(items)))


class TestCreateTask:
    async def test_create_appends_to_end_of_column_with_defaults(
        self, client: httpx.AsyncClient, project: dict[str, Any]
    ) -> None:
        first = await create_task(client, project["id"], "one")
        second = await create_task(client, project["id"], "two", labels=["bug"])
        assert (first["column_order"], second["column_order"]) == (0, 1)
        assert first["status"] == "pending"
        assert first["priority"] == "medium"
        assert first["source"] == "dashboard"
        assert second["labels"] == ["bug"]
        fetched = await client.get(f"/api/tasks/{second['id']}")
        assert fetched.json() == second

    async def test_unknown_project_is_404_naming_it(self, client: httpx.AsyncClient) -> None:
        missing = str(uuid.uuid4())
        response = await client.post("/api/tasks", json={"project_id": missing, "title": "x"})
        assert response.status_code == 404
        assert missing in response.json()["error"]["message"]

    async def test_bad_fields_are_422_naming_each(
        self, client: httpx.AsyncClient, project: dict[str, Any]
    ) -> None:
        response = await client.post(
            "/api/tasks",
            json={"project_id": project["id"], "title": "", "status": "done", "priority": "p0"},
        )
        assert response.status_code == 422
        fields = {d["field"] for d in response.json()["error"]["details"]}
        assert {"title", "status", "priority"} <= fields

    async def test_duplicate_external_id_in_project_is_409_but_other_project_may_reuse(
        self, client: httpx.AsyncClient, project: dict[str, Any], tmp_path: Path
    ) -> None:
        await create_task(client, project["id"], external_id="prd-001")
        again = await client.post(
            "/api/tasks",
            json={"project_id": project["id"], "title": "x", "external_id": "prd-001"},
        )
        assert again.status_code == 409
        other = await create_project(client, tmp_path / "other")
        reused = await create_task(client, other["id"], external_id="prd-001")
        assert reused["external_id"] == "prd-001"

    async def test_completed_task_gets_completed_at(
        self, client: httpx.AsyncClient, project: dict[str, Any]
    ) -> None:
        done = await create_task(client, project["id"], status="completed")
        assert done["completed_at"] is not None


class TestListTasks:
    async def test_sorted_by_status_then_column_order(
        self, client: httpx.AsyncClient, project: dict[str, Any]
    ) -> None:
        for status in reversed(STATUSES):
            await create_task(client, project["id"], f"{status}-a", status=status)
            await create_task(client, project["id"], f"{status}-b", status=status)
        body = (await client.get("/api/tasks", params={"project_id": project["id"]})).json()
        assert titles(body["items"]) == [f"{s}-{x}" for s in STATUSES for x in "ab"]
        assert body["next_cursor"] is None

    async def test_cursor_walks_every_task_exactly_once(
        self, client: httpx.AsyncClient, project: dict[str, Any]
    ) -> None:
        created = {
            (await create_task(client, project["id"], f"t{n}", status=STATUSES[n % 5]))["id"]
            for n in range(23)
        }
        for params in ({}, {"status": ["pending", "review"]}, {"status": "failed"}):
            seen: list[str] = []
            cursor = None
            while True:
                query: dict[str, Any] = {"project_id": project["id"], "limit": 4, **params}
                if cursor:
                    query["cursor"] = cursor
                body = (await client.get("/api/tasks", params=query)).json()
                seen += [item["id"] for item in body["items"]]
                cursor = body["next_cursor"]
                if cursor is None:
                    break
            assert len(seen) == len(set(seen))
            if not params:
                assert set(seen) == created

    async def test_filters(
        self, client: httpx.AsyncClient, project: dict[str, Any], tmp_path: Path
    ) -> None:
        other = await create_project(client, tmp_path / "other")
        parent = await create_task(client, project["id"], "Parent epic")
        await create_task(
            client,
            project["id"],
            "Fix login 100% broken",
            priority="high",
            type="bug",
            labels=["auth", "urgent"],
            parent_id=parent["id"],
        )
        await create_task(
            client, project["id"], "Write docs", description="about LOGIN flow", status="review"
        )
        await create_task(client, other["id"], "Fix login elsewhere")

        async def found(**params: Any) -> list[str]:
            body = (await client.get("/api/tasks", params=params)).json()
            return sorted(titles(body["items"]))

        pid = project["id"]
        assert await found(project_id=pid, q="login") == ["Fix login 100% broken", "Write docs"]
        assert await found(project_id=pid, q="100%") == ["Fix login 100% broken"]
        assert await found(project_id=pid, q="_") == []
        assert await found(project_id=pid, priority="high") == ["Fix login 100% broken"]
        assert await found(project_id=pid, type="bug") == ["Fix login 100% broken"]
        assert await found(label="urgent") == ["Fix login 100% broken"]
        assert await found(label="urg") == []
        assert await found(parent_id=parent["id"]) == ["Fix login 100% broken"]
        assert await found(project_id=pid, status=["review", "in_progress"]) == ["Write docs"]
        assert len(await found()) == 4

    async def test_bad_query_values_are_422(self, client: httpx.AsyncClient) -> None:
        for params in ({"limit": 501}, {"limit": 0}, {"status": "done"}, {"cursor": "garbage"}):
            response = await client.get("/api/tasks", params=params)
            assert response.status_code == 422, params
            assert response.json()["error"]["message"]


class TestBoard:
    async def test_board_is_the_paged_list_in_one_answer_with_totals(
        self, client: httpx.AsyncClient, project: dict[str, Any], tmp_path: Path
    ) -> None:
        other = await create_project(client, tmp_path / "other")
        await create_task(client, other["id"], "not on this board")
        parent = await create_task(client, project["id"], "epic", labels=["x"])
        for n in range(12):
            await create_task(
                client,
                project["id"],
                f"t{n}",
                status=STATUSES[n % 5],
                description="d" if n % 2 else None,
                parent_id=parent["id"] if n == 3 else None,
                metadata={"n": n} if n == 4 else None,
            )
        listed = (
            await client.get("/api/tasks", params={"project_id": project["id"], "limit": 500})
        ).json()["items"]
        response = await client.get("/api/tasks/board", params={"project_id": project["id"]})
        assert response.status_code == 200, response.text
        board = response.json()
        # The same cards, in the same order, with the same values as the validated list.
        assert board["items"] == listed
        totals = {"pending": 4, "in_progress": 3, "review": 2, "completed": 2, "failed": 2}
        assert board["totals"] == totals
        assert board["truncated"] == []

    async def test_times_on_the_second_and_null_fields_print_as_in_the_list(
        self, app: FastAPI, client: httpx.AsyncClient, project: dict[str, Any]
    ) -> None:
        on_the_second = datetime(2026, 12, 3, 7, 51, 8, tzinfo=UTC)
        await insert(
            app,
            Task(
                project_id=uuid.UUID(project["id"]),
                title="stored elsewhere",
                status="completed",
                column_order=0,
                created_at=on_the_second,
                updated_at=on_the_second.replace(microsecond=5),
                completed_at=on_the_second,
                labels=["x"],
                meta={"k": [1, None]},
            ),
        )
        params = {"project_id": project["id"]}
        listed = (await client.get("/api/tasks", params=params)).json()["items"]
        board = (await client.get("/api/tasks/board", params=params)).json()["items"]
        assert board == listed
        assert board[0]["created_at"] == "2026-12-03T07:51:08Z"
        assert board[0]["updated_at"] == "2026-12-03T07:51:08.000005Z"

    async def test_long_columns_are_cut_and_named(
        self,
        client: httpx.AsyncClient,
        project: dict[str, Any],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        from loki_dashboard.services import tasks as service

        monkeypatch.setattr(service, "BOARD_LIMIT", 3)
        for n in range(5):
            await create_task(client, project["id"], f"p{n}")
        await create_task(client, project["id"], "done", status="completed")
        board = (await client.get("/api/tasks/board", params={"project_id": project["id"]})).json()
        assert titles(board["items"]) == ["p0", "p1", "p2", "done"]
        assert board["totals"]["pending"] == 5
        assert board["truncated"] == ["pending"]

    async def test_unknown_project_is_404_and_missing_id_is_422(
        self, client: httpx.AsyncClient
    ) -> None:
        missing = str(uuid.uuid4())
        response = await client.get("/api/tasks/board", params={"project_id": missing})
        assert response.status_code == 404
        assert missing in response.json()["error"]["message"]
        response = await client.get("/api/tasks/board")
        assert response.status_code == 422
        assert response.json()["error"]["message"]


class TestUpdateTask:
    async def test_patch_changes_only_sent_fields(
        self, client: httpx.AsyncClient, project: dict[str, Any]
    ) -> None:
        task = await create_task(client, project["id"], "old", description="keep")
        response = await client.patch(
            f"/api/tasks/{task['id']}", json={"title": "new", "metadata": {"k": 1}}
        )
        assert response.status_code == 200
        body = response.json()
        assert (body["title"], body["description"], body["metadata"]) == ("new", "keep", {"k": 1})

    async def test_null_title_is_422_and_unknown_field_is_422(
        self, client: httpx.AsyncClient, project: dict[str, Any]
    ) -> None:
        task = await create_task(client, project["id"])
        assert (
            await client.patch(f"/api/tasks/{task['id']}", json={"title": None})
        ).status_code == 422
        assert (await client.patch(f"/api/tasks/{task['id']}", json={"nope": 1})).status_code == 422

    async def test_status_change_appends_to_new_column_and_closes_gap(
        self, client: httpx.AsyncClient, project: dict[str, Any]
    ) -> None:
        tasks = [await create_task(client, project["id"], f"p{n}") for n in range(3)]
        await create_task(client, project["id"], "r0", status="review")
        response = await client.patch(f"/api/tasks/{tasks[0]['id']}", json={"status": "review"})
        assert response.json()["column_order"] == 1
        assert titles(await column(client, project["id"], "pending")) == ["p1", "p2"]
        assert_dense(await column(client, project["id"], "pending"))
        assert titles(await column(client, project["id"], "review")) == ["r0", "p0"]

    async def test_parent_must_be_same_project_and_not_a_cycle(
        self, client: httpx.AsyncClient, project: dict[str, Any], tmp_path: Path
    ) -> None:
        a = await create_task(client, project["id"], "a")
        b = await create_task(client, project["id"], "b", parent_id=a["id"])
        c = await create_task(client, project["id"], "c", parent_id=b["id"])
        cycle = await client.patch(f"/api/tasks/{a['id']}", json={"parent_id": c["id"]})
        assert cycle.status_code == 422
        assert "cycle" in cycle.json()["error"]["message"]
        itself = await client.patch(f"/api/tasks/{a['id']}", json={"parent_id": a["id"]})
        assert itself.status_code == 422
        other = await create_project(client, tmp_path / "other")
        foreign = await create_task(client, other["id"])
        response = await client.patch(f"/api/tasks/{a['id']}", json={"parent_id": foreign["id"]})
        assert response.status_code == 422
        assert "same project" in response.json()["error"]["message"]
        create = await client.post(
            "/api/tasks",
            json={"project_id": other["id"], "title": "x", "parent_id": a["id"]},
        )
        assert create.status_code == 422

    async def test_unknown_task_is_404(self, client: httpx.AsyncClient) -> None:
        missing = uuid.uuid4()
        for method, url, body in (
            ("GET", f"/api/tasks/{missing}", None),
            ("PATCH", f"/api/tasks/{missing}", {"title": "x"}),
            ("PUT", f"/api/tasks/{missing}/move", {"status": "review", "column_order": 0}),
            ("DELETE", f"/api/tasks/{missing}", None),
        ):
            response = await client.request(method, url, json=body)
            assert response.status_code == 404, (method, url)
            assert response.json()["error"]["code"] == "not_found"


class TestMoveTask:
    async def test_move_within_column_renumbers_densely(
        self, client: httpx.AsyncClient, project: dict[str, Any]
    ) -> None:
        tasks = [await create_task(client, project["id"], f"t{n}") for n in range(5)]
        response = await client.put(
            f"/api/tasks/{tasks[4]['id']}/move", json={"status": "pending", "column_order": 1}
        )
        assert response.status_code == 200
        assert response.json()["column_order"] == 1
        items = await column(client, project["id"], "pending")
        assert titles(items) == ["t0", "t4", "t1", "t2", "t3"]
        assert_dense(items)

    async def test_move_across_columns_and_clamp_past_end(
        self, client: httpx.AsyncClient, project: dict[str, Any]
    ) -> None:
        tasks = [await create_task(client, project["id"], f"t{n}") for n in range(3)]
        await create_task(client, project["id"], "done", status="completed")
        response = await client.put(
            f"/api/tasks/{tasks[1]['id']}/move", json={"status": "completed", "column_order": 99}
        )
        body = response.json()
        assert (body["status"], body["column_order"]) == ("completed", 1)
        assert body["completed_at"] is not None
        assert titles(await column(client, project["id"], "pending")) == ["t0", "t2"]
        assert_dense(await column(client, project["id"], "pending"))
        back = await client.put(
            f"/api/tasks/{tasks[1]['id']}/move", json={"status": "pending", "column_order": 0}
        )
        assert back.json()["completed_at"] is None
        assert titles(await column(client, project["id"], "pending")) == ["t1", "t0", "t2"]

    async def test_column_with_gaps_is_made_dense_by_the_next_move(
        self, app: FastAPI, client: httpx.AsyncClient, project: dict[str, Any]
    ) -> None:
        project_id = uuid.UUID(project["id"])
        await insert(
            app,
            *(Task(project_id=project_id, title=f"g{n}", column_order=order)
              for n, order in enumerate([5, 9, 12, 40])),
        )  # fmt: skip
        first = (await column(client, project["id"], "pending"))[0]
        response = await client.put(
            f"/api/tasks/{first['id']}/move", json={"status": "pending", "column_order": 2}
        )
        assert response.json()["column_order"] == 2
        items = await column(client, project["id"], "pending")
        assert titles(items) == ["g1", "g2", "g0", "g3"]
        assert_dense(items)

    async def test_negative_order_is_422(
        self, client: httpx.AsyncClient, project: dict[str, Any]
    ) -> None:
        task = await create_task(client, project["id"])
        response = await client.put(
            f"/api/tasks/{task['id']}/move", json={"status": "pending", "column_order": -1}
        )
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["field"] == "column_order"

    async def test_concurrent_moves_keep_every_column_dense_and_unique(
        self, client: httpx.AsyncClient, project: dict[str, Any]
    ) -> None:
        tasks = [await create_task(client, project["id"], f"t{n}") for n in range(12)]
        rng = random.Random(7)

        async def move(task: dict[str, Any]) -> int:
            response = await client.put(
                f"/api/tasks/{task['id']}/move",
                json={"status": rng.choice(STATUSES[:3]), "column_order": rng.randrange(6)},
            )
            return response.status_code

        codes = await asyncio.gather(*(move(rng.choice(tasks)) for _ in range(60)))
        assert set(codes) == {200}
        total = 0
        for status in STATUSES:
            items = await column(client, project["id"], status)
            assert_dense(items)
            total += len(items)
        assert total == 12


class TestDeleteTask:
    async def test_delete_closes_gap_and_detaches_subtasks(
        self, client: httpx.AsyncClient, project: dict[str, Any]
    ) -> None:
        tasks = [await create_task(client, project["id"], f"t{n}") for n in range(3)]
        child = await create_task(client, project["id"], "child", parent_id=tasks[1]["id"])
        assert (await client.delete(f"/api/tasks/{tasks[1]['id']}")).status_code == 204
        items = await column(client, project["id"], "pending")
        assert titles(items) == ["t0", "t2", "child"]
        assert_dense(items)
        assert (await client.get(f"/api/tasks/{child['id']}")).json()["parent_id"] is None
        assert (await client.get(f"/api/tasks/{tasks[1]['id']}")).status_code == 404


class TestBulk:
    async def test_bulk_move_places_tasks_in_order(
        self, client: httpx.AsyncClient, project: dict[str, Any]
    ) -> None:
        tasks = [await create_task(client, project["id"], f"t{n}") for n in range(4)]
        await create_task(client, project["id"], "r0", status="review")
        response = await client.post(
            "/api/tasks/bulk",
            json={
                "action": "move",
                "ids": [tasks[3]["id"], tasks[0]["id"]],
                "status": "review",
                "column_order": 0,
            },
        )
        assert response.status_code == 200, response.text
        assert titles(await column(client, project["id"], "review")) == ["t3", "t0", "r0"]
        assert titles(await column(client, project["id"], "pending")) == ["t1", "t2"]

    async def test_bulk_update_and_delete(
        self, client: httpx.AsyncClient, project: dict[str, Any]
    ) -> None:
        tasks = [await create_task(client, project["id"], f"t{n}") for n in range(3)]
        ids = [t["id"] for t in tasks[:2]]
        updated = await client.post(
            "/api/tasks/bulk", json={"action": "update", "ids": ids, "update": {"priority": "high"}}
        )
        assert [t["priority"] for t in updated.json()["items"]] == ["high", "high"]
        deleted = await client.post("/api/tasks/bulk", json={"action": "delete", "ids": ids})
        assert deleted.json()["deleted_ids"] == ids
        items = await column(client, project["id"], "pending")
        assert titles(items) == ["t2"]
        assert_dense(items)

    async def test_missing_ids_are_404_and_nothing_changes(
        self, client: httpx.AsyncClient, project: dict[str, Any]
    ) -> None:
        task = await create_task(client, project["id"], "keep")
        missing = [str(uuid.uuid4()), str(uuid.uuid4())]
        response = await client.post(
            "/api/tasks/bulk", json={"action": "delete", "ids": [task["id"], *missing]}
        )
        assert response.status_code == 404
        assert sorted(response.json()["error"]["details"]["missing_ids"]) == sorted(missing)
        assert (await client.get(f"/api/tasks/{task['id']}")).status_code == 200

    async def test_one_bad_update_rolls_back_all(
        self, client: httpx.AsyncClient, project: dict[str, Any]
    ) -> None:
        a = await create_task(client, project["id"], "a")
        b = await create_task(client, project["id"], "b", parent_id=a["id"])
        response = await client.post(
            "/api/tasks/bulk",
            json={"action": "update", "ids": [b["id"], a["id"]], "update": {"parent_id": b["id"]}},
        )
        assert response.status_code == 422
        assert (await client.get(f"/api/tasks/{b['id']}")).json()["parent_id"] == a["id"]
        assert (await client.get(f"/api/tasks/{a['id']}")).json()["parent_id"] is None

    async def test_bulk_validation(self, client: httpx.AsyncClient) -> None:
        one = str(uuid.uuid4())
        for body in (
            {"action": "move", "ids": [one]},
            {"action": "update", "ids": [one]},
            {"action": "delete", "ids": []},
            {"action": "delete", "ids": [one, one]},
            {"action": "explode", "ids": [one]},
        ):
            response = await client.post("/api/tasks/bulk", json=body)
            assert response.status_code == 422, body


class TestTaskEvents:
    async def test_mutations_publish_after_commit_only(
        self, app: FastAPI, client: httpx.AsyncClient, project: dict[str, Any]
    ) -> None:
        seen: list[DomainEvent] = []

        async def collect(events: Any) -> None:
            seen.extend(events)

        app.state.bus.subscribe(collect)
        task = await create_task(client, project["id"], "t")
        await client.patch(f"/api/tasks/{task['id']}", json={"title": "t2"})
        await client.put(
            f"/api/tasks/{task['id']}/move", json={"status": "completed", "column_order": 0}
        )
        refused = await client.patch(f"/api/tasks/{task['id']}", json={"parent_id": task["id"]})
        assert refused.status_code == 422
        await client.delete(f"/api/tasks/{task['id']}")
        assert [e.type for e in seen] == [
            "task:created",
            "task:updated",
            "task:moved",
            "task:completed",
            "task:deleted",
        ]
        assert all(e.project_id == uuid.UUID(project["id"]) for e in seen)
        assert seen[2].data["from_status"] == "pending"
        assert seen[1].data["title"] == "t2"
