"""Pause, resume, stop, human input and model switch reach the run's files and processes."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from loki_dashboard.realtime.events import DomainEvent
from loki_dashboard.services import control as control_service
from loki_dashboard.services import control_followup
from tests.fixtures.factories import create_project
from tests.loki.processes import loki_like_process, wait_for_exec


@pytest.fixture
def loki_dir(project_dir: Path) -> Path:
    folder = project_dir / ".loki"
    (folder / "logs").mkdir(parents=True)
    return folder


@pytest.fixture
async def run(client: httpx.AsyncClient, project_dir: Path, loki_dir: Path) -> dict[str, Any]:
    """A live session of a project that has a run folder."""
    assert loki_dir.is_dir()
    project = await create_project(client, project_dir)
    response = await client.post(
        "/api/sessions", json={"project_id": project["id"], "start": False}
    )
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
async def live(
    client: httpx.AsyncClient, run: dict[str, Any], loki_dir: Path
) -> AsyncIterator[dict[str, Any]]:
    """The recorded session once its run shows in the files (a live process in loki.pid)."""
    with loki_like_process() as proc:
        (loki_dir / "loki.pid").write_text(f"{proc.pid}\n")
        for _ in range(500):
            body: dict[str, Any] = (await client.get(f"/api/sessions/{run['id']}")).json()
            if body["status"] == "running":
                break
            await asyncio.sleep(0.02)
        assert body["status"] == "running", body
        yield body


@pytest.fixture(autouse=True)
def quick_followups(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(control_followup, "POLL_SECONDS", 0.02)


async def wait_for_event(events: list[DomainEvent], kind: str, **data: Any) -> DomainEvent:
    """The first event of `kind` whose data has the given values."""
    for _ in range(500):
        for event in events:
            if event.type == kind and all(event.data.get(k) == v for k, v in data.items()):
                return event
        await asyncio.sleep(0.02)
    raise AssertionError(f"no {kind} event; saw {[e.type for e in events]}")


async def post(
    client: httpx.AsyncClient, run: dict[str, Any], action: str, **body: Any
) -> httpx.Response:
    return await client.post(f"/api/sessions/{run['id']}/{action}", json=body or None)


async def test_pause_writes_pause_and_reports_a_paused_run(
    client: httpx.AsyncClient, live: dict[str, Any], loki_dir: Path, events: list[DomainEvent]
) -> None:
    response = await post(client, live, "pause")
    assert response.status_code == 200
    assert "perpetual" in response.json()["message"]
    assert (loki_dir / "PAUSE").exists()
    (loki_dir / "autonomy-state.json").write_text(json.dumps({"status": "paused"}))
    event = await wait_for_event(events, "control:paused")
    assert event.data["session_id"] == live["id"]


async def test_pause_deleted_by_a_perpetual_run_is_reported(
    client: httpx.AsyncClient, live: dict[str, Any], loki_dir: Path, events: list[DomainEvent]
) -> None:
    await post(client, live, "pause")
    (loki_dir / "PAUSE").unlink()  # what the runner does in perpetual mode
    event = await wait_for_event(events, "control:pause_not_honoured")
    assert "perpetual" in event.data["message"]


async def test_resume_removes_pause_and_stop(
    client: httpx.AsyncClient, run: dict[str, Any], loki_dir: Path
) -> None:
    (loki_dir / "PAUSE").write_text("x")
    (loki_dir / "STOP").write_text("x")
    assert (await post(client, run, "resume")).status_code == 200
    assert not (loki_dir / "PAUSE").exists()
    assert not (loki_dir / "STOP").exists()


@pytest.fixture
def stubborn_runner(loki_dir: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A runner-shaped process (`bash …/loki-run-XXXXXX.sh`, working in the project, leading its
    own process group) that ignores SIGTERM, registered in loki.pid."""
    script = loki_dir.parent.parent / "loki-run-Stb0rn.sh"
    script.write_text("trap '' TERM\nwhile :; do sleep 1; done\n")
    proc = subprocess.Popen(
        ["bash", str(script), "PRD.md"], cwd=loki_dir.parent, start_new_session=True
    )
    wait_for_exec(proc.pid, b"loki-run-")
    (loki_dir / "loki.pid").write_text(f"{proc.pid}\n")
    yield proc
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


async def test_stop_writes_stop_then_kills_a_runner_that_ignores_sigterm(
    client: httpx.AsyncClient,
    run: dict[str, Any],
    loki_dir: Path,
    stubborn_runner: subprocess.Popen[bytes],
    monkeypatch: pytest.MonkeyPatch,
    events: list[DomainEvent],
) -> None:
    monkeypatch.setattr(control_service, "STOP_GRACE_SECONDS", 0.5)
    response = await post(client, run, "stop")
    assert response.status_code == 200
    assert (loki_dir / "STOP").exists()
    # Open screens learn of the new status and of the note in the run's log.
    await wait_for_event(events, "session:updated", id=run["id"], status="stopping")
    note = await wait_for_event(events, "log:entry", source="dashboard")
    logs = (await client.get("/api/logs", params={"session_id": run["id"]})).json()["items"]
    assert [(line["id"], line["message"]) for line in logs] == [
        (note.data["id"], "stop requested from the dashboard")
    ]
    for _ in range(200):
        if stubborn_runner.poll() is not None:
            break
        await asyncio.sleep(0.05)
    assert stubborn_runner.returncode == -9
    # The run recorded for it is the one the files show: it ends there, and it is the only one.
    ended = await wait_for_event(events, "session:stopped", id=run["id"])
    assert ended.data["status"] == "stopped"
    sessions = (await client.get("/api/sessions", params={"project_id": run["project_id"]})).json()
    assert [(s["id"], s["status"]) for s in sessions["items"]] == [(run["id"], "stopped")]


async def test_human_input_is_written_and_its_rejection_reported(
    client: httpx.AsyncClient, live: dict[str, Any], loki_dir: Path, events: list[DomainEvent]
) -> None:
    response = await post(client, live, "input", text="# Focus on the login bug")
    assert response.status_code == 200
    assert (loki_dir / "HUMAN_INPUT.md").read_text() == "# Focus on the login bug"
    (loki_dir / "HUMAN_INPUT.md").rename(loki_dir / "logs" / "human-input-REJECTED-1.md")
    event = await wait_for_event(events, "control:input_rejected")
    assert "LOKI_PROMPT_INJECTION" in event.data["message"]
    logs = (await client.get("/api/logs", params={"session_id": live["id"]})).json()["items"]
    assert any("human input sent" in line["message"] for line in logs)
    # Both lines (the request and the runner's answer) went out live as they were written.
    lines = [e.data for e in events if e.type == "log:entry"]
    assert [(line["id"], line["message"]) for line in lines] == [
        (line["id"], line["message"]) for line in logs
    ]
    assert "LOKI_PROMPT_INJECTION" in lines[-1]["message"]


async def test_human_input_over_1_mib_is_refused(
    client: httpx.AsyncClient, run: dict[str, Any], loki_dir: Path
) -> None:
    response = await post(client, run, "input", text="x" * (1024 * 1024 + 1))
    assert response.status_code == 413
    assert "1 MiB" in response.json()["error"]["message"]
    assert not (loki_dir / "HUMAN_INPUT.md").exists()


async def test_model_switch_writes_the_override(
    client: httpx.AsyncClient, live: dict[str, Any], loki_dir: Path
) -> None:
    assert (await post(client, live, "model", model="opus")).status_code == 200
    assert (loki_dir / "state" / "model-override").read_text().strip() == "opus"
    assert (await post(client, live, "model", model="gpt")).status_code == 422


async def test_a_starting_run_is_not_steered(
    client: httpx.AsyncClient, run: dict[str, Any], loki_dir: Path
) -> None:
    """A run still starting deletes the control files it finds: steering it now would be lost
    without a word, so it is refused until the run shows in its files."""
    assert run["status"] == "starting"
    for action, body in (("pause", {}), ("input", {"text": "hi"}), ("model", {"model": "opus"})):
        response = await post(client, run, action, **body)
        assert response.status_code == 409, action
        assert "still starting" in response.json()["error"]["message"]
    assert not (loki_dir / "PAUSE").exists()
    assert not (loki_dir / "HUMAN_INPUT.md").exists()


async def test_a_finished_or_unknown_session_cannot_be_controlled(
    client: httpx.AsyncClient, run: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(control_service, "STOP_GRACE_SECONDS", 0.1)
    unknown = await client.post("/api/sessions/00000000-0000-0000-0000-000000000000/pause")
    assert unknown.status_code == 404
    await post(client, run, "stop")
    assert (await post(client, run, "pause")).status_code == 200  # stopping is still live
