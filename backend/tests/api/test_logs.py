from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.fixtures.factories import create_project, insert_logs

LEVELS = ["debug", "info", "step", "warn", "error"]
T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


@pytest.fixture
async def seeded(
    app: FastAPI, client: httpx.AsyncClient, project_dir: Path, tmp_path: Path
) -> dict[str, Any]:
    project = (await create_project(client, project_dir))["id"]
    other = (await create_project(client, tmp_path / "other"))["id"]
    rows = [
        {
            "project_id": uuid.UUID(project),
            "level": LEVELS[n % 5],
            "source": "agent" if n % 2 else "runner",
            "message": f"line {n}" + (" 100% done" if n == 7 else ""),
            "timestamp": T0 + timedelta(seconds=n),
        }
        for n in range(30)
    ]
    rows.append({"project_id": uuid.UUID(other), "level": "error", "message": "elsewhere"})
    ids = await insert_logs(app, rows)
    return {"project": project, "ids": ids[:30]}


async def page(client: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    response = await client.get("/api/logs", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_newest_page_then_before_walks_back_exactly_once(
    client: httpx.AsyncClient, seeded: dict[str, Any]
) -> None:
    seen: list[int] = []
    body = await page(client, project_id=seeded["project"], limit=7)
    while True:
        ids = [item["id"] for item in body["items"]]
        assert ids == sorted(ids)
        seen = ids + seen
        if body["next_before"] is None:
            break
        body = await page(client, project_id=seeded["project"], limit=7, before=body["next_before"])
    assert seen == seeded["ids"]


async def test_after_walks_forward_and_waits_at_the_end(
    client: httpx.AsyncClient, seeded: dict[str, Any]
) -> None:
    seen: list[int] = []
    after = 0
    while True:
        body = await page(client, project_id=seeded["project"], limit=8, after=after)
        if not body["items"]:
            assert body["next_after"] == after
            break
        seen += [item["id"] for item in body["items"]]
        after = body["next_after"]
    assert seen == seeded["ids"]


async def test_filters(client: httpx.AsyncClient, seeded: dict[str, Any]) -> None:
    pid = seeded["project"]
    warn = await page(client, project_id=pid, level="warning", limit=100)
    assert {item["level"] for item in warn["items"]} == {"warn", "error"}
    assert len(warn["items"]) == 12
    runner = await page(client, project_id=pid, source="runner", limit=100)
    assert {item["source"] for item in runner["items"]} == {"runner"}
    assert len(runner["items"]) == 15
    text = await page(client, project_id=pid, q="100%")
    assert [item["message"] for item in text["items"]] == ["line 7 100% done"]
    window = await page(
        client,
        project_id=pid,
        since=(T0 + timedelta(seconds=5)).isoformat(),
        until=(T0 + timedelta(seconds=8)).isoformat(),
    )
    assert [item["message"] for item in window["items"]] == [
        "line 5",
        "line 6",
        "line 7 100% done",
    ]
    everything = await page(client, limit=1000)
    assert len(everything["items"]) == 31


async def test_bad_parameters_are_422(client: httpx.AsyncClient) -> None:
    for params in (
        {"level": "loud"},
        {"limit": 1001},
        {"before": 0},
        {"before": 5, "after": 2},
        {"since": "2026-11-24T10:00:00"},
        {"after": 2**70},
    ):
        response = await client.get("/api/logs", params=params)
        assert response.status_code == 422, params
        assert response.json()["error"]["message"]
