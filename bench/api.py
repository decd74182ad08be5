"""REST API latency on a big database: 100 projects, 100,000 tasks, 1,000,000 log rows.

Seeds SQLite (and PostgreSQL when reachable) with Core bulk inserts, starts a real server
subprocess, and times ≥ 500 sequential requests per operation over a keep-alive connection.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import insert

from common import running_server, summary

from loki_dashboard.config import load_settings
from loki_dashboard.db.engine import create_database
from loki_dashboard.db.migrate import upgrade_to_head
from loki_dashboard.models import Log, Project, RunSession, Task
from loki_dashboard.models.task import TASK_STATUSES

LEVELS = ["debug", "info", "info", "info", "step", "warn", "error"]


async def seed(url: str, home: Path, projects: int, tasks: int, logs: int) -> list[uuid.UUID]:
    database = create_database(load_settings(home=str(home), database_url=url))
    await upgrade_to_head(database.writer)
    now = datetime.now(UTC)
    project_ids = [uuid.uuid4() for _ in range(projects)]
    session_ids = [uuid.uuid4() for _ in range(projects)]
    started = time.perf_counter()
    async with database.writer.begin() as conn:
        await conn.execute(insert(Project), [
            {"id": pid, "name": f"project-{i}", "path": f"/bench/project-{i}", "git_branch": "main",
             "provider": "claude", "created_at": now, "updated_at": now}
            for i, pid in enumerate(project_ids)
        ])
        await conn.execute(insert(RunSession), [
            {"id": sid, "project_id": pid, "status": "running", "provider": "claude",
             "iteration": 0, "started_at": now}
            for sid, pid in zip(session_ids, project_ids, strict=True)
        ])
        per_project = tasks // projects
        per_column = per_project // len(TASK_STATUSES)
        rows = []
        for pid, sid in zip(project_ids, session_ids, strict=True):
            for status in TASK_STATUSES:
                for order in range(per_column):
                    rows.append({
                        "id": uuid.uuid4(), "project_id": pid, "session_id": sid,
                        "title": f"Task {status} {order}", "description": "seeded for the benchmark",
                        "status": status, "priority": "medium", "type": "engineering",
                        "column_order": order, "source": "prd", "labels": [],
                        "created_at": now, "updated_at": now,
                    })
            if len(rows) >= 20_000:
                await conn.execute(insert(Task), rows)
                rows = []
        if rows:
            await conn.execute(insert(Task), rows)
    batch = 50_000
    for start in range(0, logs, batch):
        async with database.writer.begin() as conn:
            await conn.execute(insert(Log), [
                {"project_id": project_ids[i % projects], "session_id": session_ids[i % projects],
                 "timestamp": now - timedelta(seconds=logs - i), "level": LEVELS[i % len(LEVELS)],
                 "source": "agent", "message": f"log line {i} of the seeded benchmark run"}
                for i in range(start, min(start + batch, logs))
            ])
    print(f"  seeded in {time.perf_counter() - started:.1f} s", flush=True)
    await database.dispose()
    return project_ids


def measure(base: str, project_ids: list[uuid.UUID], requests: int) -> None:
    rng = random.Random(7)
    with httpx.Client(base_url=base, timeout=30) as client:
        def timed(method: str, url: str, **kwargs: object) -> tuple[float, httpx.Response]:
            t0 = time.perf_counter()
            response = client.request(method, url, **kwargs)  # type: ignore[arg-type]
            elapsed = (time.perf_counter() - t0) * 1000
            if response.status_code >= 400:
                raise RuntimeError(f"{method} {url}: {response.status_code} {response.text[:200]}")
            return elapsed, response

        # Warm up every route once per project sample.
        for pid in project_ids[:20]:
            timed("GET", "/api/tasks", params={"project_id": str(pid), "status": "pending", "limit": 100})
            timed("GET", "/api/logs", params={"project_id": str(pid), "limit": 100})

        lists, pages, creates, moves = [], [], [], []
        for _ in range(requests):
            pid = str(rng.choice(project_ids))
            status = rng.choice(TASK_STATUSES)
            ms, _ = timed("GET", "/api/tasks", params={"project_id": pid, "status": status, "limit": 100})
            lists.append(ms)
        newest: dict[str, int] = {}
        for _ in range(requests):
            pid = str(rng.choice(project_ids))
            params: dict[str, object] = {"project_id": pid, "limit": 100}
            if pid in newest:
                params["before"] = rng.randint(1, newest[pid])
            ms, response = timed("GET", "/api/logs", params=params)
            body = response.json()
            if body.get("next_after"):
                newest.setdefault(pid, body["next_after"])
            pages.append(ms)
        created: list[str] = []
        for i in range(requests):
            pid = str(rng.choice(project_ids))
            ms, response = timed("POST", "/api/tasks", json={"project_id": pid, "title": f"bench {i}"})
            created.append(response.json()["id"])
            creates.append(ms)
        for _ in range(requests):
            task_id = rng.choice(created)
            body = {"status": rng.choice(TASK_STATUSES), "column_order": rng.randint(0, 200)}
            ms, _ = timed("PUT", f"/api/tasks/{task_id}/move", json=body)
            moves.append(ms)
    print(summary("list tasks (one status, limit 100)", lists, 20))
    print(summary("page of logs by cursor (limit 100)", pages, 20))
    print(summary("create task", creates, 20))
    print(summary("move task", moves, 20))


def run_one(kind: str, url: str, args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="loki-bench-") as tmp:
        home = Path(tmp)
        print(f"\n== REST API on {kind}: {args.projects} projects, {args.tasks:,} tasks, "
              f"{args.logs:,} logs, {args.requests} requests per operation", flush=True)
        project_ids = asyncio.run(seed(url.format(home=home), home, args.projects, args.tasks, args.logs))
        with running_server(home, url.format(home=home)) as base:
            measure(base, project_ids, args.requests)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--projects", type=int, default=100)
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--logs", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    if args.db in {"sqlite", "both"}:
        run_one("SQLite", "sqlite:///{home}/bench.db", args)
    if args.db in {"postgresql", "both"}:
        pg = bench_postgres_url()
        if pg is None:
            print("\n== PostgreSQL skipped: not reachable", file=sys.stderr)
        else:
            try:
                run_one("PostgreSQL", pg, args)
            finally:
                drop_postgres(pg)


_PG_NAME = f"loki_bench_{uuid.uuid4().hex[:8]}"


def _admin() -> str:
    return os.environ.get("LOKI_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")


def bench_postgres_url() -> str | None:
    import asyncpg  # type: ignore[import-untyped]

    dsn = _admin().replace("postgresql+asyncpg://", "postgresql://")
    async def create() -> None:
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(f'CREATE DATABASE "{_PG_NAME}"')
        finally:
            await conn.close()
    try:
        asyncio.run(create())
    except (OSError, asyncpg.PostgresError) as exc:
        print(f"PostgreSQL unavailable: {exc}", file=sys.stderr)
        return None
    return _admin().rsplit("/", 1)[0] + f"/{_PG_NAME}"


def drop_postgres(_url: str) -> None:
    import asyncpg

    dsn = _admin().replace("postgresql+asyncpg://", "postgresql://")
    async def drop() -> None:
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{_PG_NAME}" WITH (FORCE)')
        finally:
            await conn.close()
    asyncio.run(drop())


if __name__ == "__main__":
    main()
