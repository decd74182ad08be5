from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from loki_dashboard.app import create_app
from loki_dashboard.config import Settings
from loki_dashboard.models import Task
from loki_dashboard.watcher import service
from tests.fixtures.factories import create_project
from tests.watcher.conftest import Db, eventually, write_json


@pytest.fixture
async def polling_app(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[FastAPI]:
    """The app on a machine where inotify refuses the first watcher (ENOSPC)."""
    real_awatch = service.awatch
    calls: list[dict[str, Any]] = []

    def failing_awatch(*paths: str, **kwargs: Any) -> Any:
        calls.append(kwargs)
        if not kwargs.get("force_polling"):
            raise OSError(28, "inotify watch limit reached")
        return real_awatch(*paths, **kwargs)

    monkeypatch.setattr(service, "awatch", failing_awatch)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


async def test_inotify_failure_falls_back_to_polling_and_says_so(
    polling_app: FastAPI, tmp_path: Path
) -> None:
    transport = httpx.ASGITransport(app=polling_app, client=("127.0.0.1", 1))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:57374") as client:
        folder = tmp_path / "shop"
        (folder / ".loki").mkdir(parents=True)
        await create_project(client, folder)
        write_json(folder / ".loki" / "queue" / "pending.json", [{"id": "polled"}])

        async def mirrored() -> list[Task] | None:
            return await Db(polling_app).rows(Task) or None

        (task,) = await eventually(mirrored)
        assert task.external_id == "polled"
        body = (await client.get("/api/status")).json()["watcher"]
        assert body["mode"] == "polling"
        assert "inotify unavailable" in body["warning"]


@pytest.fixture
def tiny_watch_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    limit = tmp_path / "max_user_watches"
    limit.write_text("4\n")
    monkeypatch.setattr(service, "MAX_USER_WATCHES", limit)


@pytest.mark.usefixtures("tiny_watch_limit")
async def test_watch_limit_warning_names_the_sysctl_line(
    settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "big"
    for sub in ("queue", "state", "logs", "memory/episodic", "memory/semantic"):
        (folder / ".loki" / sub).mkdir(parents=True)
    first = create_app(settings)
    async with first.router.lifespan_context(first):
        transport = httpx.ASGITransport(app=first, client=("127.0.0.1", 1))
        async with httpx.AsyncClient(
            transport=transport, base_url="http://127.0.0.1:57374"
        ) as client:
            await create_project(client, folder)
    second = create_app(settings)  # the check runs at start, over the registered projects
    async with second.router.lifespan_context(second):
        warning = second.state.watcher.status()["warning"]
        assert warning is not None
        assert "sudo sysctl fs.inotify.max_user_watches=" in warning
