from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import httpx
from fastapi import FastAPI

from loki_dashboard.db.types import utcnow
from loki_dashboard.models import Agent, RunSession
from tests.fixtures.factories import create_project, insert


async def test_list_filters_history_and_active(
    app: FastAPI, client: httpx.AsyncClient, project_dir: Path, tmp_path: Path
) -> None:
    project = uuid.UUID((await create_project(client, project_dir))["id"])
    other = uuid.UUID((await create_project(client, tmp_path / "other"))["id"])
    run = RunSession(project_id=project, status="running")
    await insert(app, run)
    now = utcnow()
    await insert(
        app,
        Agent(project_id=project, session_id=run.id, name="dev-1", status="running",
              started_at=now - timedelta(minutes=1), tokens_used=120, cost=0.5),
        Agent(project_id=project, session_id=run.id, name="qa-1", status="completed",
              started_at=now - timedelta(minutes=5), ended_at=now),
        Agent(project_id=project, name="old", status="completed",
              started_at=now - timedelta(hours=1)),
        Agent(project_id=other, name="elsewhere", status="active", started_at=now),
    )  # fmt: skip

    async def names(url: str, **params: object) -> list[str]:
        body = (await client.get(url, params=params)).json()
        items = body["items"] if isinstance(body, dict) else body
        return [item["name"] for item in items]

    assert await names("/api/agents", project_id=str(project)) == ["dev-1", "qa-1", "old"]
    assert await names("/api/agents", session_id=str(run.id)) == ["dev-1", "qa-1"]
    assert await names("/api/agents", status="completed") == ["qa-1", "old"]
    assert await names("/api/agents/active") == ["elsewhere", "dev-1"]
    assert await names("/api/agents/active", project_id=str(project)) == ["dev-1"]
    first = (await client.get("/api/agents", params={"limit": 3})).json()
    rest = (await client.get("/api/agents", params={"cursor": first["next_cursor"]})).json()
    assert len(first["items"]) == 3
    assert [a["name"] for a in rest["items"]] == ["old"]
    assert rest["next_cursor"] is None
    agent = (await client.get("/api/agents", params={"project_id": str(project)})).json()["items"][
        0
    ]
    assert (agent["tokens_used"], agent["cost"]) == (120, 0.5)
    assert (await client.get("/api/agents", params={"cursor": "x"})).status_code == 422
