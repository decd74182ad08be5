"""The overview's cards: whether the newest run's end was asked for."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.fixtures.factories import create_project


async def _live_run(client: httpx.AsyncClient, folder: Path) -> dict[str, Any]:
    (folder / ".loki").mkdir(parents=True)
    project = await create_project(client, folder)
    created = await client.post("/api/sessions", json={"project_id": project["id"], "start": False})
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    return body


async def test_a_card_says_when_its_run_was_asked_to_stop(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    stopped = await _live_run(client, tmp_path / "stopped")
    left = await _live_run(client, tmp_path / "left")
    assert (await client.post(f"/api/sessions/{stopped['id']}/stop")).status_code == 200

    cards = {c["project"]["id"]: c for c in (await client.get("/api/overview")).json()}
    assert cards[stopped["project_id"]]["stop_requested"] is True
    assert cards[left["project_id"]]["stop_requested"] is False
