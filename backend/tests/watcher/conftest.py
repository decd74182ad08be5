"""Fixtures for watcher tests: the real app (its watcher running), a project on disk, events."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from loki_dashboard.realtime.events import DomainEvent
from loki_dashboard.watcher.service import WatcherService
from tests.fixtures.factories import create_project

T = TypeVar("T")


async def eventually(check: Callable[[], Awaitable[T | None]], *, timeout: float = 15.0) -> T:
    """Poll `check` until it returns something truthy; fail with its last value otherwise."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    last: T | None = None
    while loop.time() < deadline:
        last = await check()
        if last:
            return last
        await asyncio.sleep(0.02)
    raise AssertionError(f"condition not met in {timeout} s; last value: {last!r}")


def write_json(path: Path, value: Any) -> None:
    """Write like a runner does: temp file next to the target, then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.tmp.{os.getpid()}")
    tmp.write_text(json.dumps(value))
    os.replace(tmp, path)


class Events:
    """Every event the bus published, in order."""

    def __init__(self) -> None:
        self.items: list[DomainEvent] = []

    async def __call__(self, events: Sequence[DomainEvent]) -> None:
        self.items.extend(events)

    def of(self, kind: str) -> list[DomainEvent]:
        return [e for e in self.items if e.type == kind]

    def types(self) -> list[str]:
        return [e.type for e in self.items]


@pytest.fixture
def events(app: FastAPI) -> Events:
    collector = Events()
    app.state.bus.subscribe(collector)
    return collector


@pytest.fixture
def watcher(app: FastAPI) -> WatcherService:
    service: WatcherService = app.state.watcher
    return service


class Db:
    def __init__(self, app: FastAPI) -> None:
        self.app = app

    async def rows(self, model: Any, *where: Any) -> list[Any]:
        async with self.app.state.database.read_sessions() as session:
            return list(await session.scalars(select(model).where(*where)))


@pytest.fixture
def db(app: FastAPI) -> Db:
    return Db(app)


@pytest.fixture
async def project(client: httpx.AsyncClient, tmp_path: Path) -> dict[str, Any]:
    """A registered project whose `.loki/` exists (empty)."""
    folder = tmp_path / "shop"
    (folder / ".loki").mkdir(parents=True)
    return await create_project(client, folder)


def loki(project: dict[str, Any]) -> Path:
    return Path(project["path"]) / ".loki"
