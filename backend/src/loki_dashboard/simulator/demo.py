"""`loki-dashboard demo`: the dashboard with a live simulated run, for a first look.

Starts the server (foreground, this process's settings) with the simulator as its runner command,
registers a demo project under LOKI_HOME and starts a run in it. Ctrl-C, SIGINT or SIGTERM ends
both: the run is stopped the way the dashboard stops any run (STOP, then SIGTERM, then SIGKILL
after a grace), then the server. The server gets its own session, so a Ctrl-C in the terminal
reaches only this process and the order holds (the run is stopped while the server still
answers).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

import click
import httpx

from loki_dashboard.config import Settings
from loki_dashboard.loki.control_files import request_stop
from loki_dashboard.loki.process import ProcessIdentity, identify, is_same, terminate

SERVER_GRACE_SECONDS = 15.0
RUN_GRACE_SECONDS = 15.0  # the server's own stop kills a run that has not ended in 10 s


def run_demo(settings: Settings) -> int:
    project = settings.home / "demo-project"
    project.mkdir(parents=True, exist_ok=True)
    (project / "PRD.md").write_text(
        "# Demo\n\nBuild a todo app.\n\n## Requirements\n1. A REST API for todos.\n"
        "2. A web page that lists and edits them.\n3. Tests for both.\n"
    )
    runner = f"{sys.executable} -m loki_dashboard simulate {{prd}} --interval 3"
    env = {**os.environ, "LOKI_RUNNER_COMMAND": runner}
    command = [sys.executable, "-m", "loki_dashboard", "dashboard", "start", "--foreground"]
    command += ["--host", settings.host, "--port", str(settings.port)]
    signal.signal(signal.SIGTERM, _interrupt)
    server = subprocess.Popen(command, env=env, start_new_session=True)
    base = f"http://{settings.host}:{settings.port}"
    run: _Run | None = None
    try:
        if not _healthy(server, base):
            return server.poll() or 1
        run = _start_run(base, project)
        click.echo(f"Demo project {project} is running a simulated Loki Mode run: {base}")
        click.echo("Press Ctrl-C to stop the run and the dashboard.")
        return server.wait()
    except KeyboardInterrupt:
        return 0
    except httpx.HTTPError as exc:
        click.echo(f"The demo could not start its run: {exc}", err=True)
        return 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the clean-up is not interrupted
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if run is not None:
            run.stop(base)
        _stop_server(server)


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _healthy(server: subprocess.Popen[bytes], base: str) -> bool:
    for _ in range(300):
        if server.poll() is not None:
            return False
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    return False


class _Run:
    """The demo's run: its session and, once known, its process (identity-checked)."""

    def __init__(self, session_id: str, loki_dir: Path) -> None:
        self.session_id, self.loki_dir = session_id, loki_dir
        self.identity: ProcessIdentity | None = None

    def find_process(self, base: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self.identity is None and time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError, ValueError):
                pid = httpx.get(f"{base}/api/sessions/{self.session_id}", timeout=2).json()["pid"]
                self.identity = identify(pid) if isinstance(pid, int) else None
            if self.identity is None:
                time.sleep(0.1)

    def stop(self, base: str) -> None:
        """The dashboard's stop; if the server cannot do it, the same steps from here."""
        self.find_process(base, timeout=2)
        with contextlib.suppress(httpx.HTTPError):
            httpx.post(f"{base}/api/sessions/{self.session_id}/stop", timeout=5)
        if self.identity is None:
            return
        deadline = time.monotonic() + RUN_GRACE_SECONDS
        while is_same(self.identity) and time.monotonic() < deadline:
            time.sleep(0.1)
        if is_same(self.identity):
            with contextlib.suppress(OSError):
                request_stop(self.loki_dir)
            terminate(self.identity, grace_seconds=10)


def _start_run(base: str, project: Path) -> _Run:
    with httpx.Client(base_url=base, timeout=10) as http:
        listed = http.get("/api/projects").json()
        known = [p for p in listed if Path(p["path"]) == project.resolve()]
        demo = known[0] if known else http.post("/api/projects", json={"path": str(project)}).json()
        started = http.post("/api/sessions", json={"project_id": demo["id"], "prd_path": "PRD.md"})
        started.raise_for_status()
    run = _Run(started.json()["id"], project / ".loki")
    run.find_process(base, timeout=10)
    return run


def _stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(SERVER_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
