"""Old log lines go by age and by count per project, in short batches that let writers in; the
newest line always stays (ids are never handed out twice); /api/status reports the size."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, insert, select

from loki_dashboard.config import Settings, load_settings
from loki_dashboard.db.engine import Database
from loki_dashboard.db.session import session_scope
from loki_dashboard.db.types import utcnow
from loki_dashboard.models import Log
from loki_dashboard.services import retention
from loki_dashboard.services.retention import Retention, prune
from tests.fixtures.factories import create_project


async def add_lines(database: Database, project_id: str, count: int, age: timedelta) -> None:
    stamp = utcnow() - age
    line = {"project_id": uuid.UUID(project_id), "timestamp": stamp, "source": "agent.log"}
    rows = [{**line, "message": f"line {n}"} for n in range(count)]
    async with session_scope(database.write_sessions) as session:
        await session.execute(insert(Log), rows)


async def ids_of(database: Database, project_id: str | None = None) -> list[int]:
    query = select(Log.id).order_by(Log.id)
    if project_id is not None:
        query = query.where(Log.project_id == uuid.UUID(project_id))
    async with database.read_sessions() as session:
        return list(await session.scalars(query))


@pytest.fixture
def database(app: FastAPI) -> Database:
    db: Database = app.state.database
    return db


@pytest.fixture
async def project(client: httpx.AsyncClient, project_dir: Path) -> dict[str, Any]:
    return await create_project(client, project_dir)


async def test_lines_older_than_the_age_go_and_the_rest_stay(
    database: Database, project: dict[str, Any]
) -> None:
    await add_lines(database, project["id"], 50, age=timedelta(days=40))
    await add_lines(database, project["id"], 20, age=timedelta(days=1))
    kept = (await ids_of(database))[50:]
    deleted = await prune(database, Retention(max_age=timedelta(days=30), max_lines=None))
    assert deleted == 50
    assert await ids_of(database) == kept


async def test_each_project_keeps_its_newest_lines_up_to_the_count(
    database: Database,
    project: dict[str, Any],
    client: httpx.AsyncClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(retention, "BATCH", 300)  # several batches
    quiet = await create_project(client, tmp_path / "quiet")
    await add_lines(database, project["id"], 2500, age=timedelta(minutes=5))
    await add_lines(database, quiet["id"], 10, age=timedelta(minutes=5))
    noisy_before = await ids_of(database, project["id"])
    deleted = await prune(database, Retention(max_age=None, max_lines=1000))
    assert deleted == 1500
    assert await ids_of(database, project["id"]) == noisy_before[-1000:]
    assert len(await ids_of(database, quiet["id"])) == 10


async def test_the_newest_line_stays_so_ids_are_never_reused(
    database: Database, project: dict[str, Any]
) -> None:
    await add_lines(database, project["id"], 30, age=timedelta(days=90))
    newest = (await ids_of(database))[-1]
    await prune(database, Retention(max_age=timedelta(days=30), max_lines=None))
    assert await ids_of(database) == [newest]
    await add_lines(database, project["id"], 1, age=timedelta(0))
    assert (await ids_of(database))[-1] > newest


async def test_writers_get_in_between_batches(
    database: Database, project: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retention, "BATCH", 200)
    await add_lines(database, project["id"], 4000, age=timedelta(days=60))
    pruning = asyncio.create_task(
        prune(database, Retention(max_age=timedelta(days=30), max_lines=None))
    )
    written = 0
    while written < 5:  # each write needs the writer connection the prune also uses
        await add_lines(database, project["id"], 1, age=timedelta(0))
        written += 1
    assert not pruning.done(), "the writes waited for the whole prune"
    # Every old line, bar the newest when the prune looked before the first write.
    assert await pruning >= 3999


class TestInTheBackground:
    @pytest.fixture
    def settings(self, loki_home: Path, database_url: str) -> Settings:
        return load_settings(
            home=str(loki_home),
            database_url=database_url,
            log_retention_days=7,
            retention_interval_seconds=1,
        )

    async def test_the_server_prunes_old_lines(
        self, database: Database, project: dict[str, Any]
    ) -> None:
        await add_lines(database, project["id"], 10, age=timedelta(days=8))
        await add_lines(database, project["id"], 1, age=timedelta(0))
        for _ in range(400):
            async with database.read_sessions() as session:
                if await session.scalar(select(func.count()).select_from(Log)) == 1:
                    return
            await asyncio.sleep(0.025)
        raise AssertionError("old lines were never pruned")


async def test_status_reports_the_database_size(client: httpx.AsyncClient) -> None:
    status = (await client.get("/api/status")).json()
    assert status["database_bytes"] > 0
