"""`loki projects …` with no server (straight into the database) and through a running one."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from loki_dashboard.cli import cli
from tests.fixtures.server import Server


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env=env)
    return result.exit_code, result.output


def test_add_list_switch_remove_without_a_server(tmp_path: Path, loki_home: Path) -> None:
    folder = tmp_path / "alpha"
    folder.mkdir()
    code, out = run("projects", "add", str(folder), "--name", "Alpha")
    assert code == 0, out
    assert "added Alpha" in out
    code, out = run("projects", "list", "--json")
    listed = json.loads(out)
    assert [(p["name"], p["path"], p["active"]) for p in listed] == [("Alpha", str(folder), False)]
    code, out = run("projects", "switch", str(folder))
    assert code == 0
    assert (loki_home / "active-project").read_text().strip() == listed[0]["id"]
    assert json.loads(run("projects", "list", "--json")[1])[0]["active"] is True
    code, out = run("projects", "remove", listed[0]["id"])
    assert code == 0
    assert "files are untouched" in out
    assert folder.is_dir()
    assert json.loads(run("projects", "list", "--json")[1]) == []
    assert not (loki_home / "active-project").exists()


def test_errors_are_one_line_with_a_nonzero_exit(tmp_path: Path) -> None:
    code, out = run("projects", "add", str(tmp_path / "missing"))
    assert code == 1
    assert out.strip().startswith("error: no such folder")
    assert "Traceback" not in out
    folder = tmp_path / "beta"
    folder.mkdir()
    run("projects", "add", str(folder))
    code, out = run("projects", "add", str(folder))
    assert code == 1
    assert "already registered" in out
    code, out = run("projects", "switch", "nope")
    assert code == 1
    assert "no project" in out


@pytest.fixture
def server_env(live_server: Server, database_url: str) -> dict[str, str]:
    return {"LOKI_DASHBOARD_PORT": str(live_server.port), "LOKI_DATABASE_URL": database_url}


def test_changes_go_through_a_running_server(
    live_server: Server, server_env: dict[str, str], tmp_path: Path
) -> None:
    folder = tmp_path / "gamma"
    folder.mkdir()
    code, out = run("projects", "add", str(folder), env=server_env)
    assert code == 0, out
    listed = httpx.get(f"{live_server.url}/api/projects").json()
    assert [p["path"] for p in listed] == [str(folder)]
    assert "POST /api/projects" in live_server.output()  # it went through the server
    run("projects", "switch", listed[0]["id"], env=server_env)
    active = httpx.get(f"{live_server.url}/api/projects/active")
    assert active.status_code == 200
    assert active.json()["id"] == listed[0]["id"]
    assert run("projects", "remove", str(folder), env=server_env)[0] == 0
    assert httpx.get(f"{live_server.url}/api/projects").json() == []
    missing = httpx.get(f"{live_server.url}/api/projects/active")
    assert missing.status_code == 404
    assert "loki projects switch" in missing.json()["error"]["message"]
