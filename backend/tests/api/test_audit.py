"""Every control action leaves an entry: who, when, from where, what; admins read them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.fixtures.factories import create_project


@pytest.fixture
async def remote(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("10.1.2.3", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://10.0.0.1:57374") as c:
        yield c


async def entries(client: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    response = await client.get("/api/audit", params=params)
    assert response.status_code == 200, response.text
    body: list[dict[str, Any]] = response.json()
    return body


async def test_local_and_token_actions_are_recorded(
    client: httpx.AsyncClient, remote: httpx.AsyncClient, project_dir: Path, tmp_path: Path
) -> None:
    (project_dir / ".loki").mkdir()
    project = await create_project(client, project_dir)
    run = (
        await client.post("/api/sessions", json={"project_id": project["id"], "start": False})
    ).json()
    # (Resume: the recorded run never showed, so it is still starting and is not steered.)
    assert (await client.post(f"/api/sessions/{run['id']}/resume")).status_code == 200
    await client.post("/api/tasks", json={"project_id": project["id"], "title": "injected"})
    token = (await client.post("/api/tokens", json={"name": "ops", "scope": "admin"})).json()
    folder = tmp_path / "second"
    folder.mkdir()
    headers = {"Authorization": f"Bearer {token['token']}"}
    added = await remote.post("/api/projects", json={"path": str(folder)}, headers=headers)
    assert added.status_code == 201

    recorded = await entries(client)
    actions = [(e["action"], e["actor"]) for e in reversed(recorded)]
    assert actions == [
        ("project.add", "local"),
        ("session.resume", "local"),
        ("task.inject", "local"),
        ("token.create", "local"),
        ("project.add", f"token:{token['id']}"),
    ]
    assert recorded[0]["remote"] == "10.1.2.3"
    assert recorded[-1]["details"]["path"] == str(project_dir)
    resumed = await entries(client, action="session.resume")
    assert [e["action"] for e in resumed] == ["session.resume"]


async def test_refused_actions_leave_no_entry_and_reading_needs_admin(
    client: httpx.AsyncClient, remote: httpx.AsyncClient, tmp_path: Path
) -> None:
    missing = await client.post("/api/projects", json={"path": str(tmp_path / "nope")})
    assert missing.status_code == 422
    assert await entries(client) == []
    reader = (await client.post("/api/tokens", json={"name": "r"})).json()
    denied = await remote.get("/api/audit", headers={"Authorization": f"Bearer {reader['token']}"})
    assert denied.status_code == 403
