"""The real thing once: uvicorn on a loopback port, a project round-trip over real HTTP."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.fixtures.server import Server


def test_real_server_serves_health_and_projects(live_server: Server, project_dir: Path) -> None:
    with httpx.Client(base_url=live_server.url, timeout=10) as http:
        health = http.get("/health")
        assert health.status_code == 200
        assert health.json()["status"] == "ok"

        created = http.post("/api/projects", json={"path": str(project_dir)})
        assert created.status_code == 201, created.text
        listed = http.get("/api/projects").json()
        assert [p["id"] for p in listed] == [created.json()["id"]]

        missing = http.get("/api/projects/00000000-0000-0000-0000-000000000000")
        assert missing.status_code == 404
        assert missing.json()["error"]["code"] == "not_found"


def test_second_server_on_same_sqlite_file_refuses(tmp_path: Path, loki_home: Path) -> None:
    from tests.fixtures.server import launch, running_server

    url = f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}"
    with running_server(loki_home, url):
        second = launch(loki_home, url)
        assert second.process.wait(30) != 0
        assert "already" in second.output().lower()
