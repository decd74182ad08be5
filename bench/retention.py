"""Log retention: how fast old lines are pruned, and how long a writer waits meanwhile.

Seeds 500,000 log lines over 10 projects (half older than the 30-day default) on SQLite, then
PostgreSQL when reachable; times one insert every 20 ms (as the watcher writes) first alone, then
while `prune` deletes the old half in its batches, through the same database objects the server
uses (on SQLite: the one writer connection both must share).
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import insert

from common import summary

from loki_dashboard.config import load_settings
from loki_dashboard.db.engine import Database, create_database
from loki_dashboard.db.migrate import upgrade_to_head
from loki_dashboard.db.session import session_scope
from loki_dashboard.models import Log, Project
from loki_dashboard.services.retention import Retention, prune

LINES = 500_000
PROJECTS = 10
RETENTION = Retention(max_age=timedelta(days=30), max_lines=None)


async def seed(database: Database) -> list[uuid.UUID]:
    now = datetime.now(UTC)
    ids = [uuid.uuid4() for _ in range(PROJECTS)]
    projects = [
        {"id": pid, "name": f"p{i}", "path": f"/bench/retention-{i}", "provider": "claude",
         "created_at": now, "updated_at": now}
        for i, pid in enumerate(ids)
    ]
    async with database.writer.begin() as conn:
        await conn.execute(insert(Project), projects)
    for start in range(0, LINES, 50_000):
        # The first half 31-60 days old, the rest from the last days.
        rows = [
            {"project_id": ids[i % PROJECTS], "level": "info", "source": "agent",
             "message": f"line {i}", "timestamp": now - timedelta(days=60 - 59 * i / LINES)}
            for i in range(start, min(start + 50_000, LINES))
        ]
        async with database.writer.begin() as conn:
            await conn.execute(insert(Log), rows)
    return ids


async def writes(database: Database, project_id: uuid.UUID, until: asyncio.Event) -> list[float]:
    """One log line every 20 ms until `until` is set; each insert's wall time in ms."""
    samples: list[float] = []
    while not until.is_set():
        started = time.perf_counter()
        async with session_scope(database.write_sessions) as session:
            session.add(Log(project_id=project_id, level="info", source="bench", message="new"))
        samples.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(0.02)
    return samples


async def measure(url: str, home: Path) -> None:
    database = create_database(load_settings(home=str(home), database_url=url))
    await upgrade_to_head(database.writer)
    ids = await seed(database)
    idle_done = asyncio.Event()
    idle = asyncio.create_task(writes(database, ids[0], idle_done))
    await asyncio.sleep(3)
    idle_done.set()
    print("  " + summary("insert alone", await idle), flush=True)
    busy_done = asyncio.Event()
    busy = asyncio.create_task(writes(database, ids[0], busy_done))
    started = time.perf_counter()
    deleted = await prune(database, RETENTION)
    took = time.perf_counter() - started
    busy_done.set()
    print("  " + summary("insert while pruning", await busy), flush=True)
    print(f"  pruned {deleted:,} lines in {took:.1f} s ({deleted / took:,.0f} lines/s)")
    await database.dispose()


ADMIN = os.environ.get("LOKI_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


async def admin(statement: str) -> None:
    conn = await asyncpg.connect(ADMIN.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


async def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        print("SQLite", flush=True)
        await measure(f"sqlite:///{home / 'bench.db'}", home)
    name = f"loki_bench_{uuid.uuid4().hex[:8]}"
    try:
        await admin(f'CREATE DATABASE "{name}"')
    except (OSError, asyncpg.PostgresError) as exc:
        print(f"PostgreSQL unavailable ({exc}); skipped", file=sys.stderr)
        return
    try:
        print("PostgreSQL", flush=True)
        with tempfile.TemporaryDirectory() as folder:
            await measure(ADMIN.rsplit("/", 1)[0] + f"/{name}", Path(folder))
    finally:
        await admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    asyncio.run(main())
