"""What a request puts into the runner's argument list: a PRD that is a regular file inside the
project (passed as an absolute path, after `--`), a provider that is a plain name, and
placeholders filled in one pass."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import httpx
import pytest

from loki_dashboard.config import Settings, load_settings
from loki_dashboard.errors import InvalidInput
from loki_dashboard.services.session_runner import runner_argv
from tests.fixtures.factories import create_project


def echo_runner(folder: Path) -> Path:
    """A runner that prints each argument on its own line and exits."""
    script = folder.parent / "echo-runner"
    script.write_text('#!/usr/bin/env bash\nfor a in "$@"; do echo "arg:$a"; done\n')
    script.chmod(0o755)
    return script


@pytest.fixture
def settings(loki_home: Path, database_url: str, project_dir: Path) -> Settings:
    command = f"{echo_runner(project_dir)} --provider {{provider}} -- {{prd}}"
    return load_settings(home=str(loki_home), database_url=database_url, runner_command=command)


@pytest.fixture
async def project(client: httpx.AsyncClient, project_dir: Path) -> dict[str, Any]:
    return await create_project(client, project_dir)


async def start(client: httpx.AsyncClient, project: dict[str, Any], **body: Any) -> httpx.Response:
    return await client.post("/api/sessions", json={"project_id": project["id"], **body})


async def runner_args(client: httpx.AsyncClient, run: dict[str, Any]) -> list[str]:
    """The arguments the runner was started with, once it has ended."""
    for _ in range(400):
        current = (await client.get(f"/api/sessions/{run['id']}")).json()
        if current["status"] not in {"starting", "running"}:
            break
        await asyncio.sleep(0.025)
    logs = (await client.get("/api/logs", params={"session_id": run["id"]})).json()["items"]
    lines = sorted(logs, key=lambda line: line["id"])
    return [line["message"][4:] for line in lines if line["message"].startswith("arg:")]


class TestPrdPath:
    @pytest.mark.parametrize("prd", ["../../etc/passwd", "/etc/passwd", "--help", "missing.md"])
    async def test_a_prd_that_is_not_a_file_in_the_project_is_422(
        self, client: httpx.AsyncClient, project: dict[str, Any], prd: str
    ) -> None:
        response = await start(client, project, prd_path=prd)
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert error["details"][0]["field"] == "prd_path"
        assert (await client.get("/api/sessions")).json()["items"] == []

    async def test_a_link_out_of_the_project_and_a_fifo_are_refused(
        self, client: httpx.AsyncClient, project: dict[str, Any], project_dir: Path, tmp_path: Path
    ) -> None:
        secret = tmp_path / "secret.md"
        secret.write_text("not the project's")
        (project_dir / "PRD.md").symlink_to(secret)
        os.mkfifo(project_dir / "pipe.md")
        outside = await start(client, project, prd_path="PRD.md")
        assert outside.status_code == 422
        assert "outside the project" in outside.json()["error"]["message"]
        fifo = await start(client, project, prd_path="pipe.md")
        assert fifo.status_code == 422
        assert "not a regular file" in fifo.json()["error"]["message"]

    async def test_an_option_shaped_name_reaches_the_runner_as_a_path_after_dashes(
        self, client: httpx.AsyncClient, project: dict[str, Any], project_dir: Path
    ) -> None:
        (project_dir / "--help").write_text("# a PRD with an odd name\n")
        response = await start(client, project, prd_path="--help", provider="codex")
        assert response.status_code == 201, response.text
        assert response.json()["prd_path"] == "--help"
        args = await runner_args(client, response.json())
        assert args == ["--provider", "codex", "--", str(project_dir.resolve() / "--help")]

    async def test_a_placeholder_inside_the_prd_path_is_not_filled_in(
        self, client: httpx.AsyncClient, project: dict[str, Any], project_dir: Path
    ) -> None:
        (project_dir / "docs").mkdir()
        (project_dir / "docs" / "{provider}.md").write_text("# PRD\n")
        response = await start(client, project, prd_path="docs/{provider}.md")
        assert response.status_code == 201, response.text
        args = await runner_args(client, response.json())
        assert args[-1] == str(project_dir.resolve() / "docs" / "{provider}.md")
        assert args[1] == "claude"

    async def test_without_a_prd_the_argument_is_left_out(
        self, client: httpx.AsyncClient, project: dict[str, Any]
    ) -> None:
        response = await start(client, project)
        assert response.status_code == 201
        assert await runner_args(client, response.json()) == ["--provider", "claude", "--"]


class TestProvider:
    @pytest.mark.parametrize(
        "provider", ["claude;touch x", "a|b", "codex\n--bare", "Claude", "$(id)", "-x"]
    )
    async def test_anything_but_a_plain_name_is_422(
        self, client: httpx.AsyncClient, project: dict[str, Any], provider: str
    ) -> None:
        response = await start(client, project, provider=provider)
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["field"] == "provider"

    async def test_projects_take_the_same_pattern(
        self, client: httpx.AsyncClient, project: dict[str, Any], tmp_path: Path
    ) -> None:
        folder = tmp_path / "second"
        folder.mkdir()
        bad = await client.post("/api/projects", json={"path": str(folder), "provider": "x;y"})
        assert bad.status_code == 422
        update = await client.put(f"/api/projects/{project['id']}", json={"provider": "a b"})
        assert update.status_code == 422


class TestRunnerArgv:
    def test_placeholders_are_filled_in_once(self) -> None:
        argv = runner_argv("run --p={provider} -- {prd}", prd="/p/{provider}.md", provider="codex")
        assert argv == ["run", "--p=codex", "--", "/p/{provider}.md"]

    def test_a_bad_provider_is_refused_even_from_the_database(self) -> None:
        with pytest.raises(InvalidInput):
            runner_argv("run {provider}", prd=None, provider="x;rm -rf /")
