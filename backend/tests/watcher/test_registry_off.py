from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from loki_dashboard.config import Settings, load_settings
from loki_dashboard.models import Learning
from loki_dashboard.watcher.service import WatcherService
from tests.watcher.conftest import Db, eventually, write_json


@pytest.fixture
def settings(loki_home: Path, database_url: str) -> Settings:
    return load_settings(home=str(loki_home), database_url=database_url, import_registry=False)


async def test_registry_import_can_be_turned_off(
    client: httpx.AsyncClient, db: Db, loki_home: Path, tmp_path: Path, watcher: WatcherService
) -> None:
    shop = tmp_path / "shop"
    shop.mkdir()
    write_json(loki_home / "dashboard" / "projects.json", {"projects": {"a": {"path": str(shop)}}})
    # The learnings in the same import pass show that the pass ran.
    (loki_home / "learnings").mkdir()
    record = {"category": "session", "description": "Pin the lockfile"}
    (loki_home / "learnings" / "patterns.jsonl").write_text(json.dumps(record) + "\n")
    await eventually(lambda: db.rows(Learning))
    await watcher._import_home(force=True)  # what a server start does
    await watcher.reload_projects()
    await watcher.settle()
    assert (await client.get("/api/projects")).json() == []
