"""Stop signals only a process the dashboard started or this project's proven Loki runner.

A pid file is written by the run, so it can name anything: a stranger, a Loki runner of another
project, the dashboard itself. Every process here is real; the runner stand-in has the real
runner's shape (`bash /tmp/loki-run-XXXXXX.sh PRD.md`, working in the project folder, leading
its own process group with children in it).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from loki_dashboard.services import control as control_service
from tests.fixtures.factories import create_project
from tests.fixtures.server import Server, cli_env, free_port, wait_healthy
from tests.loki.processes import wait_for_exec


def runner_script(folder: Path, body: str) -> Path:
    """A script named like the runner's temporary copy of itself."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / f"loki-run-{secrets.token_hex(3)}.sh"
    script.write_text("#!/usr/bin/env bash\n" + body)
    return script


class Processes:
    """Real processes started by a test, all killed at its end."""

    def __init__(self) -> None:
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, argv: list[str], cwd: Path, marker: bytes) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(argv, cwd=cwd, start_new_session=True)
        self.started.append(process)
        wait_for_exec(process.pid, marker)
        return process

    def runner(self, cwd: Path) -> tuple[subprocess.Popen[bytes], int]:
        """A runner-shaped group leader with a child in its group; returns it and the child."""
        child_file = cwd.parent / f"child-{secrets.token_hex(3)}"
        script = runner_script(
            cwd.parent / "runner-copies",
            f'sleep 300 & echo $! > "{child_file}"\nwait\n',
        )
        process = self.start(["bash", str(script), "PRD.md"], cwd, b"loki-run-")
        for _ in range(400):
            if child_file.exists() and child_file.read_text().strip():
                return process, int(child_file.read_text())
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(0.01)
        raise AssertionError("the runner stand-in never started its child")

    def close(self) -> None:
        for process in self.started:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture
def processes() -> Iterator[Processes]:
    owned = Processes()
    yield owned
    owned.close()


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2] != "Z"


@pytest.fixture
def loki_dir(project_dir: Path) -> Path:
    folder = project_dir / ".loki"
    folder.mkdir()
    return folder


async def recorded_run(client: httpx.AsyncClient, project_dir: Path) -> dict[str, Any]:
    project = await create_project(client, project_dir)
    response = await client.post(
        "/api/sessions", json={"project_id": project["id"], "start": False}
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def stop(client: httpx.AsyncClient, run: dict[str, Any]) -> str:
    response = await client.post(f"/api/sessions/{run['id']}/stop")
    assert response.status_code == 200, response.text
    message: str = response.json()["message"]
    return message


async def signals_done() -> None:
    """Wait until every signal task the stop started has finished."""
    for _ in range(400):
        if not control_service._background:
            return
        await asyncio.sleep(0.025)
    raise AssertionError("the stop's signal task never finished")


@pytest.fixture(autouse=True)
def short_grace(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(control_service, "STOP_GRACE_SECONDS", 0.5)


class TestPidFileNamesAStranger:
    async def test_a_victim_process_and_its_group_survive(
        self,
        client: httpx.AsyncClient,
        project_dir: Path,
        loki_dir: Path,
        processes: Processes,
    ) -> None:
        # Working in the project, but not a runner: `sleep`, leading its own group.
        victim = processes.start(["sleep", "300"], project_dir, b"sleep")
        (loki_dir / "loki.pid").write_text(f"{victim.pid}\n")
        run = await recorded_run(client, project_dir)
        message = await stop(client, run)
        assert "no runner process" in message
        await signals_done()
        assert victim.poll() is None
        assert (loki_dir / "STOP").exists()  # the run still gets the request it honours

    async def test_a_runner_of_another_folder_survives(
        self,
        client: httpx.AsyncClient,
        project_dir: Path,
        loki_dir: Path,
        processes: Processes,
        tmp_path: Path,
    ) -> None:
        elsewhere = tmp_path / "another-project"
        elsewhere.mkdir()
        stranger, child = processes.runner(elsewhere)
        (loki_dir / "loki.pid").write_text(f"{stranger.pid}\n")
        (loki_dir / "run.pid").write_text(f"{child}\n")
        run = await recorded_run(client, project_dir)
        assert "no runner process" in await stop(client, run)
        await signals_done()
        assert stranger.poll() is None
        assert alive(child)


class TestTheProjectsRunner:
    async def test_the_runner_and_its_group_are_signalled(
        self,
        client: httpx.AsyncClient,
        project_dir: Path,
        loki_dir: Path,
        processes: Processes,
    ) -> None:
        victim = processes.start(["sleep", "300"], project_dir, b"sleep")
        runner, child = processes.runner(project_dir)
        # The stranger comes first; the runner is found behind it, as the real one writes it.
        (loki_dir / "loki.pid").write_text(f"{victim.pid}\n")
        (loki_dir / "pids").mkdir()
        (loki_dir / "pids" / f"{runner.pid}.json").write_text(
            f'{{"pid": {runner.pid}, "kind": "wrapper", "label": "loki-wrapper"}}'
        )
        run = await recorded_run(client, project_dir)
        assert f"pid {runner.pid}" in await stop(client, run)
        for _ in range(400):
            if runner.poll() is not None and not alive(child):
                break
            await asyncio.sleep(0.025)
        assert runner.returncode == -signal.SIGTERM
        assert not alive(child)
        assert victim.poll() is None


def launch_dashboard_as_runner(home: Path, database_url: str, project_dir: Path) -> Server:
    """A real dashboard that looks like this project's runner: it works in the project folder,
    its own command line is runner-shaped (`exec -a loki-run-….sh`), and its parent is a
    runner-shaped script leading the group both are in."""
    port = free_port()
    log = home / f"server-{port}.log"
    inner = f"loki-run-{secrets.token_hex(3)}.sh"
    script = runner_script(
        home / "wrapper",
        f'bash -c \'exec -a {inner} "$0" -m loki_dashboard dashboard start --foreground '
        f'--host 127.0.0.1 --port {port} --db "$1"\' "{sys.executable}" "{database_url}" &\n'
        "wait\n",
    )
    # Renamed, the interpreter no longer finds its virtual environment: hand it the path.
    env = cli_env(home, PYTHONPATH=os.pathsep.join(path for path in sys.path if path))
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["bash", str(script), "PRD.md"],
            cwd=project_dir,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Server(process, f"http://127.0.0.1:{port}", port, home, log)


def dashboard_pid(wrapper: int) -> int:
    children = Path(f"/proc/{wrapper}/task/{wrapper}/children").read_text().split()
    assert len(children) == 1, children
    return int(children[0])


async def test_the_dashboard_never_signals_itself_its_parent_or_its_group(
    loki_home: Path, database_url: str, project_dir: Path, loki_dir: Path
) -> None:
    server = launch_dashboard_as_runner(loki_home, database_url, project_dir)
    try:
        wait_healthy(server)
        wrapper = server.process.pid
        dashboard = dashboard_pid(wrapper)
        wait_for_exec(dashboard, b"loki-run-")
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
            run = await recorded_run(client, project_dir)
            for pid in (dashboard, wrapper):
                (loki_dir / "loki.pid").write_text(f"{pid}\n")
                assert "no runner process" in await stop(client, run)
            assert (await client.get("/health")).status_code == 200
        assert server.process.poll() is None
        assert alive(dashboard)
    finally:
        server.stop()
