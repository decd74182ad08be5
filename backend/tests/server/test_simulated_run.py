"""A whole run through a real server: start it, feed it a task, pause, steer, stop.

The runner is the package's protocol-faithful simulator (`loki-dashboard simulate`), started by
`POST /api/sessions` exactly as the real `loki start` would be.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

from tests.fixtures.server import running_server

RUNNER = f"{sys.executable} -m loki_dashboard simulate {{prd}} --interval 0.4"


async def until(check: Callable[[], Awaitable[Any]], what: str, timeout: float = 30) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        result = await check()
        if result:
            return result
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


async def test_a_simulated_run_end_to_end(
    loki_home: Path, database_url: str, project_dir: Path
) -> None:
    (project_dir / "prd.md").write_text("# Build the API\n")
    with running_server(loki_home, database_url, LOKI_RUNNER_COMMAND=RUNNER) as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
            project = (await http.post("/api/projects", json={"path": str(project_dir)})).json()
            started = await http.post(
                "/api/sessions", json={"project_id": project["id"], "prd_path": "prd.md"}
            )
            assert started.status_code == 201, started.text
            run = started.json()

            async def session() -> dict[str, Any]:
                body: dict[str, Any] = (await http.get(f"/api/sessions/{run['id']}")).json()
                return body

            async def tasks() -> list[dict[str, Any]]:
                params = {"project_id": project["id"], "limit": 500}
                items: list[dict[str, Any]] = (await http.get("/api/tasks", params=params)).json()[
                    "items"
                ]
                return items

            # The run's PRD tasks are mirrored; the watcher kept the session we started.
            await until(lambda: _titles(tasks, "Build the API"), "the PRD tasks")
            sessions = (
                await http.get("/api/sessions", params={"project_id": project["id"]})
            ).json()
            assert [s["id"] for s in sessions["items"]] == [run["id"]]

            # A task from the board reaches the run, which works on it.
            mine = await http.post(
                "/api/tasks", json={"project_id": project["id"], "title": "Fix the login page"}
            )
            assert mine.status_code == 201
            await until(
                lambda: _status_of(tasks, "Fix the login page", {"in_progress", "completed"}),
                "the run to pick up the dashboard task",
            )

            # Pause is honoured at the next iteration (checkpoint mode), resume carries on.
            assert (await http.post(f"/api/sessions/{run['id']}/pause")).status_code == 200
            await until(lambda: _is(session, "paused"), "the run to pause")
            assert (await http.post(f"/api/sessions/{run['id']}/resume")).status_code == 200
            await until(lambda: _is(session, "running"), "the run to resume")

            # Human input is accepted: the run was started with LOKI_PROMPT_INJECTION=true.
            sent = await http.post(f"/api/sessions/{run['id']}/input", json={"text": "Use JWT"})
            assert sent.status_code == 200
            logs = project_dir / ".loki" / "logs"
            await until(
                _async(
                    lambda: [p for p in logs.glob("human-input-*.md") if "REJECTED" not in p.name]
                ),
                "the run to accept the human input",
            )

            # Stop ends the run and the session.
            assert (await http.post(f"/api/sessions/{run['id']}/stop")).status_code == 200
            final = await until(
                lambda: _is(session, "stopped", "completed"), "the run to end", timeout=40
            )
            assert final["ended_at"] is not None
            completion = (project_dir / ".loki" / "COMPLETION.txt").read_text()
            assert "Stopped" in completion


def _async(check: Callable[[], Any]) -> Callable[[], Awaitable[Any]]:
    async def wrapped() -> Any:
        return check()

    return wrapped


async def _titles(tasks: Callable[[], Awaitable[list[dict[str, Any]]]], title: str) -> bool:
    return any(t["title"] == title for t in await tasks())


async def _status_of(
    tasks: Callable[[], Awaitable[list[dict[str, Any]]]], title: str, wanted: set[str]
) -> bool:
    return any(t["title"] == title and t["status"] in wanted for t in await tasks())


async def _is(session: Callable[[], Awaitable[dict[str, Any]]], *statuses: str) -> Any:
    current = await session()
    return current if current["status"] in statuses else None
