"""`loki-dashboard demo`: the dashboard with a live simulated run, for a first look.

Starts the server (foreground, this process's settings) with the simulator as its runner command,
registers a demo project under LOKI_HOME and starts a run in it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import click
import httpx

from loki_dashboard.config import Settings


def run_demo(settings: Settings) -> int:
    project = settings.home / "demo-project"
    project.mkdir(parents=True, exist_ok=True)
    (project / "PRD.md").write_text("# Demo\nBuild a todo app with an API and tests.\n")
    runner = f"{sys.executable} -m loki_dashboard simulate {{prd}} --interval 3"
    env = {**os.environ, "LOKI_RUNNER_COMMAND": runner}
    server = subprocess.Popen(
        [sys.executable, "-m", "loki_dashboard", "dashboard", "start", "--foreground",
         "--host", settings.host, "--port", str(settings.port)],
        env=env,
    )  # fmt: skip
    base = f"http://{settings.host}:{settings.port}"
    try:
        for _ in range(300):
            if server.poll() is not None:
                return server.returncode or 1
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        with httpx.Client(base_url=base, timeout=10) as http:
            listed = http.get("/api/projects").json()
            known = [p for p in listed if Path(p["path"]) == project.resolve()]
            demo = (
                known[0]
                if known
                else http.post("/api/projects", json={"path": str(project)}).json()
            )
            http.post("/api/sessions", json={"project_id": demo["id"], "prd_path": "PRD.md"})
        click.echo(f"Demo project {project} is running a simulated Loki Mode run: {base}")
        return server.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(15)
