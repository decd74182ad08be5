from __future__ import annotations

import asyncio
import os
import signal
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from loki_dashboard.config import Settings, load_settings
from loki_dashboard.db.types import utcnow
from loki_dashboard.models import RunSession
from tests.fixtures.factories import create_project, insert


@pytest.fixture
def settings(loki_home: Path, database_url: str, project_dir: Path) -> Settings:
    """The runner commands these tests' projects choose, allowed by the operator."""
    script = project_dir / "fake-loki"
    allowed = [f"{script} {{prd}}", "no-such-loki-runner start {prd}", "sleep 30"]
    return load_settings(home=str(loki_home), database_url=database_url, runner_commands=allowed)


@pytest.fixture
async def project(client: httpx.AsyncClient, project_dir: Path) -> dict[str, Any]:
    return await create_project(client, project_dir, provider="codex")


class TestCreateSession:
    async def test_records_a_starting_session_with_the_projects_provider(
        self, client: httpx.AsyncClient, project: dict[str, Any]
    ) -> None:
        response = await client.post(
            "/api/sessions",
            json={"project_id": project["id"], "prd_path": "docs/prd.md", "start": False},
        )
        assert response.status_code == 201, response.text
        body = response.json()
        assert (body["status"], body["provider"], body["prd_path"]) == (
            "starting",
            "codex",
            "docs/prd.md",
        )
        assert (await client.get(f"/api/sessions/{body['id']}")).json() == body

    async def test_second_live_session_is_409_naming_the_live_one(
        self, client: httpx.AsyncClient, project: dict[str, Any]
    ) -> None:
        first = await client.post(
            "/api/sessions", json={"project_id": project["id"], "start": False}
        )
        second = await client.post(
            "/api/sessions", json={"project_id": project["id"], "start": False}
        )
        assert second.status_code == 409
        assert second.json()["error"]["details"]["session_id"] == first.json()["id"]

    async def test_unknown_project_is_404_and_unknown_session_is_404(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.post("/api/sessions", json={"project_id": str(uuid.uuid4())})
        assert response.status_code == 404
        assert (await client.get(f"/api/sessions/{uuid.uuid4()}")).status_code == 404


class TestListSessions:
    async def test_filters_and_newest_first_pages(
        self, app: FastAPI, client: httpx.AsyncClient, project: dict[str, Any], tmp_path: Path
    ) -> None:
        other = await create_project(client, tmp_path / "other")
        now = utcnow()
        statuses = ["completed", "failed", "stopped", "completed", "running"]
        rows = [
            RunSession(
                project_id=uuid.UUID(project["id"]),
                status=status,
                started_at=now - timedelta(minutes=10 - n),
            )
            for n, status in enumerate(statuses)
        ]
        await insert(app, *rows, RunSession(project_id=uuid.UUID(other["id"]), status="running"))
        seen: list[str] = []
        cursor = None
        while True:
            params: dict[str, Any] = {"project_id": project["id"], "limit": 2}
            if cursor:
                params["cursor"] = cursor
            body = (await client.get("/api/sessions", params=params)).json()
            seen += [item["status"] for item in body["items"]]
            cursor = body["next_cursor"]
            if not cursor:
                break
        assert seen == statuses[::-1]
        done = await client.get(
            "/api/sessions", params={"project_id": project["id"], "status": ["completed"]}
        )
        assert [item["status"] for item in done.json()["items"]] == ["completed", "completed"]
        assert len((await client.get("/api/sessions")).json()["items"]) == 6
        bad = await client.get("/api/sessions", params={"status": "sleeping"})
        assert bad.status_code == 422


class TestStartRun:
    """POST /api/sessions starts the runner command; a fake runner stands in for Loki Mode."""

    async def test_runner_output_becomes_logs_and_exit_code_ends_the_session(
        self, client: httpx.AsyncClient, project_dir: Path
    ) -> None:
        script = project_dir / "fake-loki"
        script.write_text(
            "#!/usr/bin/env bash\n"
            'echo "starting with $1 injection=$LOKI_PROMPT_INJECTION"\n'
            "echo 'oops' >&2\n"
            "exit 3\n"
        )
        script.chmod(0o755)
        project = await create_project(
            client, project_dir, config={"runner_command": f"{script} {{prd}}"}
        )
        (project_dir / "prd.md").write_text("# Build it\n")
        response = await client.post(
            "/api/sessions", json={"project_id": project["id"], "prd_path": "prd.md"}
        )
        assert response.status_code == 201, response.text
        run = response.json()
        assert run["status"] == "starting"
        for _ in range(300):
            current = (await client.get(f"/api/sessions/{run['id']}")).json()
            if current["status"] not in {"starting", "running"}:
                break
            await asyncio.sleep(0.05)
        assert current["pid"] > 0
        assert (current["status"], current["exit_code"]) == ("failed", 3)
        logs = (await client.get("/api/logs", params={"session_id": run["id"]})).json()["items"]
        lines = {(line["source"], line["level"], line["message"]) for line in logs}
        prd = project_dir.resolve() / "prd.md"
        assert ("runner", "info", f"starting with {prd} injection=true") in lines
        assert run["prd_path"] == "prd.md"
        assert ("runner", "warn", "oops") in lines

    async def test_missing_runner_command_is_424_with_how_to(
        self, client: httpx.AsyncClient, project_dir: Path
    ) -> None:
        project = await create_project(
            client, project_dir, config={"runner_command": "no-such-loki-runner start {prd}"}
        )
        response = await client.post("/api/sessions", json={"project_id": project["id"]})
        assert response.status_code == 424
        assert "LOKI_RUNNER_COMMAND" in response.json()["error"]["message"]
        listed = (await client.get("/api/sessions", params={"project_id": project["id"]})).json()
        assert listed["items"] == []

    async def test_second_start_while_a_run_is_live_is_409(
        self, client: httpx.AsyncClient, project_dir: Path
    ) -> None:
        project = await create_project(client, project_dir, config={"runner_command": "sleep 30"})
        first = await client.post("/api/sessions", json={"project_id": project["id"]})
        assert first.status_code == 201
        second = await client.post("/api/sessions", json={"project_id": project["id"]})
        assert second.status_code == 409
        for _ in range(200):
            pid = (await client.get(f"/api/sessions/{first.json()['id']}")).json()["pid"]
            if pid:
                break
            await asyncio.sleep(0.05)
        os.killpg(pid, signal.SIGKILL)
