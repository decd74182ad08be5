"""The app outlives its server: it says it is offline, then reconnects and catches up."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import expect

from tests.e2e.conftest import SLOW_RUNNER, loki_dir, write_json
from tests.fixtures.server import launch, wait_healthy


def test_the_app_recovers_after_the_server_restarts(
    page: Any, loki_home: Path, tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{loki_home / 'dashboard.db'}"
    first = launch(loki_home, url, LOKI_RUNNER_COMMAND=SLOW_RUNNER)
    wait_healthy(first)
    folder = tmp_path / "api"
    (folder / ".loki" / "queue").mkdir(parents=True)
    project = httpx.post(f"{first.url}/api/projects", json={"path": str(folder)}).json()
    indicator = page.locator("[data-connection]")
    page.goto(f"{first.url}/projects/{project['id']}")
    expect(indicator).to_have_attribute("data-connection", "live")

    first.stop()
    # First it retries and says so; after a few failed attempts in a row it says offline.
    expect(indicator).to_have_attribute("data-connection", "reconnecting")
    expect(indicator).to_have_text("reconnecting")
    expect(indicator).to_have_attribute("data-connection", "offline", timeout=20_000)
    expect(indicator).to_have_text("offline")
    # While the server is down the run keeps writing.
    write_json(loki_dir(project) / "queue" / "pending.json", [{"id": "w1", "title": "While down"}])

    second = launch(loki_home, url, port=first.port, LOKI_RUNNER_COMMAND=SLOW_RUNNER)
    try:
        wait_healthy(second)
        expect(indicator).to_have_attribute("data-connection", "live", timeout=30_000)
        # The resync after the restart reloads the board, and live updates flow again.
        expect(page.locator('[data-title="While down"]')).to_be_visible()
        write_json(
            loki_dir(project) / "queue" / "pending.json",
            [{"id": "w1", "title": "While down"}, {"id": "w2", "title": "After restart"}],
        )
        expect(page.locator('[data-title="After restart"]')).to_be_visible()
    finally:
        second.stop()
