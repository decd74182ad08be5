from __future__ import annotations

import errno
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from loki_dashboard.app import create_app
from loki_dashboard.config import Settings
from loki_dashboard.models import Task
from loki_dashboard.watcher import inotify, service
from tests.fixtures.factories import create_project
from tests.watcher.conftest import Db, eventually, write_json

REFUSED = "no-inotify-room"  # inotify refuses watches over any path containing this


@pytest.fixture
async def refusing_app(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[FastAPI]:
    """The app on a machine where inotify has no room for the `refused` project's watches.

    Exhausting the real per-user limit would break every other program of the user, so the
    refusal is simulated where watchfiles reports it: the watcher and the capacity probe."""
    real_awatch, real_notify = service.awatch, inotify.RustNotify

    def limited_awatch(*paths: str, **kwargs: Any) -> Any:
        if not kwargs.get("force_polling") and any(REFUSED in p for p in paths):
            raise OSError(errno.ENOSPC, "inotify watch limit reached")
        return real_awatch(*paths, **kwargs)

    def limited_notify(paths: list[str], *args: Any) -> Any:
        if not args[1] and any(REFUSED in p for p in paths):
            raise OSError("OS file watch limit reached. (Error { kind: MaxFilesWatch })")
        return real_notify(paths, *args)

    monkeypatch.setattr(service, "awatch", limited_awatch)
    monkeypatch.setattr(inotify, "RustNotify", limited_notify)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


async def test_only_the_refused_project_polls_and_status_names_it(
    refusing_app: FastAPI, tmp_path: Path
) -> None:
    transport = httpx.ASGITransport(app=refusing_app, client=("127.0.0.1", 1))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:57374") as client:
        fine, refused = tmp_path / "a-fine", tmp_path / f"b-{REFUSED}"
        for folder in (fine, refused):
            (folder / ".loki").mkdir(parents=True)
        fine_id = (await create_project(client, fine))["id"]
        refused_id = (await create_project(client, refused))["id"]

        async def polling() -> dict[str, Any] | None:
            body: dict[str, Any] = (await client.get("/api/status")).json()["watcher"]
            return body if body["polling_projects"] else None

        body = await eventually(polling)
        assert body["polling_projects"] == [refused_id]
        assert body["mode"] == "mixed"
        assert "inotify unavailable" in body["warning"]
        for folder in (fine, refused):
            write_json(folder / ".loki" / "queue" / "pending.json", [{"id": folder.name}])

        async def mirrored() -> set[str] | None:
            rows = await Db(refusing_app).rows(Task)
            return {r.external_id for r in rows} if len(rows) == 2 else None

        assert await eventually(mirrored) == {fine.name, refused.name}
        assert fine_id not in body["polling_projects"]
        # Its project removed, the refused folder goes: inotify takes everything again.
        assert (await client.delete(f"/api/projects/{refused_id}")).status_code == 204

        async def inotify_again() -> dict[str, Any] | None:
            body: dict[str, Any] = (await client.get("/api/status")).json()["watcher"]
            return body if body["mode"] == "inotify" else None

        body = await eventually(inotify_again)
        assert body["polling_projects"] == []
        assert body["warning"] is None


def test_refusals_are_told_from_a_vanished_folder() -> None:
    assert inotify.refused(OSError(errno.ENOSPC, "No space left on device"))
    assert inotify.refused(OSError("Too many open files (os error 24)"))
    assert inotify.refused(
        RuntimeError("error in underlying watcher: OS file watch limit reached.")
    )
    assert not inotify.refused(FileNotFoundError(errno.ENOENT, "gone"))
    assert not inotify.refused(ValueError("watch limit"))


def test_capacity_is_the_longest_prefix_inotify_takes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folders = []
    for name in ("a", "b", "c", f"d-{REFUSED}", "e"):
        (tmp_path / name).mkdir()
        folders.append(str(tmp_path / name))
    assert inotify.capacity(folders) == 5  # the real inotify takes these five
    real_notify = inotify.RustNotify

    def limited_notify(paths: list[str], *args: Any) -> Any:
        if any(REFUSED in p for p in paths):
            raise OSError(errno.ENOSPC, "inotify watch limit reached")
        return real_notify(paths, *args)

    monkeypatch.setattr(inotify, "RustNotify", limited_notify)
    assert inotify.capacity(folders) == 3


@pytest.fixture
def tiny_watch_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    limit = tmp_path / "max_user_watches"
    limit.write_text("4\n")
    monkeypatch.setattr(inotify, "MAX_USER_WATCHES", limit)


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
            assert (await client.get("/api/status")).json()["watcher"]["warnings"] == []
            project = await create_project(client, folder)

            async def warned() -> list[str] | None:
                body = (await client.get("/api/status")).json()["watcher"]
                found: list[str] = body["warnings"]
                return found or None

            # Checked again when a project is added, not only at start.
            (warning,) = await eventually(warned)
            assert "sudo sysctl fs.inotify.max_user_watches=" in warning
            assert (await client.delete(f"/api/projects/{project['id']}")).status_code == 204

            async def cleared() -> bool:
                body = (await client.get("/api/status")).json()["watcher"]
                return body["warnings"] == [] and body["warning"] is None

            await eventually(cleared)
            await create_project(client, folder)
    second = create_app(settings)  # and at start, over the registered projects
    async with second.router.lifespan_context(second):

        async def at_start() -> str | None:
            found: str | None = second.state.watcher.status()["warning"]
            return found

        warning = await eventually(at_start)
        assert "sudo sysctl fs.inotify.max_user_watches=" in warning
