"""The Dockerfile and docker-compose.yml: checked without a Docker engine (none runs here).

The compose file must parse and wire the database and volumes as documented, and the exact
command and environment of the image must run a working, token-protected server on PostgreSQL.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

import httpx
import yaml

from tests.fixtures.server import Server, cli_env, free_port, wait_healthy

REPO = Path(__file__).resolve().parents[3]
TOKEN = "loki_" + "c" * 43


def dockerfile() -> str:
    return (REPO / "Dockerfile").read_text()


def image_env() -> dict[str, str]:
    block = re.search(r"^ENV (.+?)(?=^\w)", dockerfile(), re.S | re.M)
    assert block is not None
    pairs = shlex.split(block.group(1).replace("\\\n", " "))
    return dict(pair.split("=", 1) for pair in pairs)


def image_cmd() -> list[str]:
    line = next(x for x in dockerfile().splitlines() if x.startswith("CMD "))
    command: list[str] = json.loads(line[4:])
    return command


def test_compose_wires_postgres_volumes_and_a_loopback_port() -> None:
    compose: dict[str, Any] = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    db, dashboard = compose["services"]["db"], compose["services"]["dashboard"]
    assert db["image"] == "postgres:15"
    env = db["environment"]
    url = dashboard["environment"]["LOKI_DATABASE_URL"]
    assert url == (
        f"postgresql://{env['POSTGRES_USER']}:{env['POSTGRES_PASSWORD']}@db:5432/"
        f"{env['POSTGRES_DB']}"
    )
    assert "LOKI_DASHBOARD_TOKEN" in dashboard["environment"]
    assert dashboard["ports"] == ["127.0.0.1:57374:57374"]
    assert dashboard["depends_on"]["db"]["condition"] == "service_healthy"
    assert set(compose["volumes"]) == {"pgdata", "loki-home"}
    assert "loki-home:/data" in dashboard["volumes"]
    assert image_env()["LOKI_HOME"] == "/data"


def test_image_runs_as_non_root_with_a_health_check() -> None:
    text = dockerfile()
    assert re.search(r"^USER loki$", text, re.M)
    assert "/health" in next(x for x in text.splitlines() if "urlopen" in x)
    assert image_env()["LOKI_REQUIRE_TOKEN"] == "true"


def test_the_image_command_serves_postgres_with_tokens(loki_home: Path, postgres_url: str) -> None:
    port = free_port()
    env = cli_env(loki_home, **image_env())
    env.update(
        LOKI_HOME=str(loki_home),
        LOKI_DASHBOARD_PORT=str(port),
        LOKI_DATABASE_URL=postgres_url,
        LOKI_DASHBOARD_TOKEN=TOKEN,
    )
    command = image_cmd()
    assert command[:3] == ["loki", "dashboard", "start"]
    log = loki_home / "image.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*_python_module(), *command[1:]], env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    server = Server(process, f"http://127.0.0.1:{port}", port, loki_home, log)
    try:
        wait_healthy(server)
        assert httpx.get(f"{server.url}/api/status").status_code == 401
        status = httpx.get(f"{server.url}/api/status", headers={"Authorization": f"Bearer {TOKEN}"})
        assert status.status_code == 200
        assert status.json()["database"] == "postgresql"
    finally:
        server.stop()


def _python_module() -> list[str]:
    import sys

    return [sys.executable, "-m", "loki_dashboard"]


def test_the_image_builds_the_web_app_in_a_node_stage_and_ships_it_in_the_wheel() -> None:
    stages = re.split(r"^FROM ", dockerfile(), flags=re.M)[1:]
    web = next(s for s in stages if s.startswith("node:"))
    assert "npm ci" in web
    assert "npm run build" in web
    build = next(s for s in stages if " AS build" in s.splitlines()[0])
    # The built files are in place before the wheel is made, so its build hook needs no Node.
    copy = build.index("COPY --from=web")
    assert "loki_dashboard/static" in build[copy:].splitlines()[0]
    assert copy < build.index("python -m build")
    ignored = (REPO / ".dockerignore").read_text().split()
    assert "**/node_modules" in ignored
