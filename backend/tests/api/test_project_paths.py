"""Folders that are not a project are refused with a 422 that says why: the system's own, the
user's home, the folder holding LOKI_HOME, and paths with control characters."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest


async def refused(client: httpx.AsyncClient, path: str) -> str:
    response = await client.post("/api/projects", json={"path": path})
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["details"][0]["field"] == "path"
    message: str = error["message"]
    return message


@pytest.mark.parametrize("path", ["/", "/etc", "/proc", "/proc/self", "/sys", "/usr", "/tmp"])
async def test_system_folders_are_refused(client: httpx.AsyncClient, path: str) -> None:
    assert "system folder" in await refused(client, path)


async def test_the_home_folder_is_refused(
    client: httpx.AsyncClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "someone"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    assert "home folder" in await refused(client, str(home))
    assert "home folder" in await refused(client, "~")


async def test_folders_holding_loki_home_are_refused(
    client: httpx.AsyncClient, loki_home: Path
) -> None:
    assert "LOKI_HOME" in await refused(client, str(loki_home.parent))
    assert "LOKI_HOME" in await refused(client, str(loki_home.parent.parent))
    assert "LOKI_HOME" in await refused(client, str(loki_home))
    # A project inside it is someone's own folder, and allowed (the demo project lives there).
    inside = loki_home / "demo-project"
    inside.mkdir()
    assert (await client.post("/api/projects", json={"path": str(inside)})).status_code == 201


async def test_a_path_with_a_newline_is_refused_even_when_it_exists(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    folder = tmp_path / "two\nlines"
    folder.mkdir()
    assert "control character" in await refused(client, str(folder))
    assert "control character" in await refused(client, f"{tmp_path}/tab\there")


async def test_an_ordinary_folder_is_still_registered(
    client: httpx.AsyncClient, project_dir: Path
) -> None:
    response = await client.post("/api/projects", json={"path": str(project_dir)})
    assert response.status_code == 201
