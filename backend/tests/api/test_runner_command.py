"""The runner command is operator configuration: a token holder cannot make the server run
a command of its choosing, and every project change is audited."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from loki_dashboard.config import Settings, load_settings
from loki_dashboard.db.session import session_scope
from loki_dashboard.models import Project
from tests.fixtures.factories import create_project

OPERATOR_CHOICE = "sleep 30"


@pytest.fixture
def settings(loki_home: Path, database_url: str) -> Settings:
    return load_settings(
        home=str(loki_home),
        database_url=database_url,
        runner_command="no-such-default-runner {prd}",
        runner_commands=[OPERATOR_CHOICE],
    )


@pytest.fixture
async def remote(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("10.1.2.3", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://10.0.0.1:57374") as c:
        yield c


async def bearer(client: httpx.AsyncClient, scope: str) -> dict[str, str]:
    response = await client.post("/api/tokens", json={"name": f"{scope}-user", "scope": scope})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


@pytest.fixture
async def project(client: httpx.AsyncClient, project_dir: Path) -> dict[str, Any]:
    return await create_project(client, project_dir)


class TestAControlToken:
    async def test_cannot_set_a_runner_command_and_its_start_runs_none(
        self,
        client: httpx.AsyncClient,
        remote: httpx.AsyncClient,
        project: dict[str, Any],
        project_dir: Path,
    ) -> None:
        headers = await bearer(client, "control")
        marker = project_dir / "pwned"
        body = {"config": {"runner_command": f"touch {marker}"}}
        refused = await remote.put(f"/api/projects/{project['id']}", json=body, headers=headers)
        assert refused.status_code == 403
        assert "admin" in refused.json()["error"]["message"]
        stored = (await client.get(f"/api/projects/{project['id']}")).json()
        assert stored["config"] is None
        # Its start runs the operator's default, which is not installed here: 424, nothing ran.
        start = await remote.post(
            "/api/sessions", json={"project_id": project["id"]}, headers=headers
        )
        assert start.status_code == 424
        assert not marker.exists()

    async def test_cannot_register_a_project_with_a_runner_command(
        self, client: httpx.AsyncClient, remote: httpx.AsyncClient, tmp_path: Path
    ) -> None:
        folder = tmp_path / "other"
        folder.mkdir()
        body = {"path": str(folder), "config": {"runner_command": OPERATOR_CHOICE}}
        response = await remote.post(
            "/api/projects", json=body, headers=await bearer(client, "control")
        )
        assert response.status_code == 403
        assert (await client.get("/api/projects")).json() == []

    async def test_may_change_the_rest_of_the_config_and_is_audited(
        self, client: httpx.AsyncClient, remote: httpx.AsyncClient, project: dict[str, Any]
    ) -> None:
        headers = await bearer(client, "control")
        body = {"name": "renamed", "config": {"notes": "kept"}}
        response = await remote.put(f"/api/projects/{project['id']}", json=body, headers=headers)
        assert response.status_code == 200, response.text
        audit = (await client.get("/api/audit", params={"action": "project.update"})).json()
        assert len(audit) == 1
        assert audit[0]["target"] == project["id"]
        assert audit[0]["actor"].startswith("token:")
        assert audit[0]["details"]["changes"] == body


class TestAnAdmin:
    async def test_may_choose_an_allowed_command_only(
        self, client: httpx.AsyncClient, remote: httpx.AsyncClient, project: dict[str, Any]
    ) -> None:
        headers = await bearer(client, "admin")
        url = f"/api/projects/{project['id']}"
        other = await remote.put(
            url, json={"config": {"runner_command": "bash -c 'id'"}}, headers=headers
        )
        assert other.status_code == 422
        error = other.json()["error"]
        assert error["details"][0]["field"] == "config.runner_command"
        assert OPERATOR_CHOICE in error["message"]
        chosen = await remote.put(
            url, json={"config": {"runner_command": OPERATOR_CHOICE}}, headers=headers
        )
        assert chosen.status_code == 200
        audit = (await client.get("/api/audit", params={"action": "project.update"})).json()
        assert [e["details"]["changes"] for e in audit] == [
            {"config": {"runner_command": OPERATOR_CHOICE}}
        ]

    async def test_the_local_user_is_held_to_the_allowlist_too(
        self, client: httpx.AsyncClient, tmp_path: Path
    ) -> None:
        folder = tmp_path / "local"
        folder.mkdir()
        body = {"path": str(folder), "config": {"runner_command": "rm -rf {prd}"}}
        response = await client.post("/api/projects", json=body)
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["field"] == "config.runner_command"


async def test_a_stored_command_no_longer_allowed_is_refused_at_start(
    app: FastAPI, client: httpx.AsyncClient, project: dict[str, Any], project_dir: Path
) -> None:
    marker = project_dir / "ran"
    async with session_scope(app.state.database.write_sessions) as session:
        await session.execute(
            update(Project)
            .where(Project.id == uuid.UUID(project["id"]))
            .values(config={"runner_command": f"touch {marker}"})
        )
    response = await client.post("/api/sessions", json={"project_id": project["id"]})
    assert response.status_code == 409
    assert "LOKI_RUNNER_COMMANDS" in response.json()["error"]["message"]
    assert (await client.get("/api/sessions")).json()["items"] == []
    assert not marker.exists()
