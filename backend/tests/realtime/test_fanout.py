"""Two real server processes on one PostgreSQL database: events reach clients of both."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from loki_dashboard.realtime.pg_fanout import asyncpg_dsn
from tests.fixtures.server import Server, running_server
from tests.realtime.ws_client import connect, next_of, subscribe


async def sql(database_url: str, query: str, *args: Any) -> int:
    """One integer from a query run on the server's database by a connection of our own."""
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        value: int = await connection.fetchval(query, *args)
    finally:
        await connection.close()
    return value


async def terminate(database_url: str, role: str) -> int:
    """End the server's fan-out connections of `role` from PostgreSQL; returns how many."""
    return await sql(
        database_url,
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
        " WHERE datname = current_database() AND application_name = $1",
        f"loki-events-{role}",
    )


async def create_task(server: Server, project_id: str, title: str) -> None:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        response = await http.post("/api/tasks", json={"project_id": project_id, "title": title})
    assert response.status_code == 201, response.text


async def watched_project(server: Server, folder: Path) -> tuple[Any, dict[str, Any], int]:
    """A client on `global`, a project registered through the server, and the seq of its
    `project:created` as the client saw it."""
    folder.mkdir(exist_ok=True)
    ws = await connect(server.url)
    await subscribe(ws, ["global"])
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        project = (await http.post("/api/projects", json={"path": str(folder)})).json()
    created = (await next_of(ws, {"project:created"}))["seq"]
    return ws, project, created


@pytest.fixture
def postgres_database_url(postgres_url: str) -> str:
    return postgres_url


async def test_a_change_through_one_process_reaches_clients_of_both(
    loki_home: Path, postgres_database_url: str, tmp_path: Path
) -> None:
    with (
        running_server(loki_home, postgres_database_url) as first,
        running_server(loki_home, postgres_database_url) as second,
    ):
        on_first = await connect(first.url)
        on_second = await connect(second.url)
        await subscribe(on_first, ["global"])
        await subscribe(on_second, ["global"])
        folder = tmp_path / "p"
        folder.mkdir()
        async with httpx.AsyncClient(timeout=10) as http:
            created = await http.post(f"{first.url}/api/projects", json={"path": str(folder)})
            project: dict[str, Any] = created.json()
            # Writes alternate between the processes; both clients see one order.
            for n in range(10):
                server = first if n % 2 else second
                response = await http.post(
                    f"{server.url}/api/tasks", json={"project_id": project["id"], "title": f"t{n}"}
                )
                assert response.status_code == 201
        seen: dict[str, list[tuple[int, str]]] = {}
        for name, ws in (("first", on_first), ("second", on_second)):
            message = await next_of(ws, {"project:created"})
            assert message["data"]["id"] == project["id"]
            seen[name] = []
            for _ in range(10):
                event = await next_of(ws, {"task:created"})
                seen[name].append((event["seq"], event["data"]["title"]))
        assert seen["first"] == seen["second"]
        seqs = [seq for seq, _ in seen["first"]]
        assert seqs == sorted(set(seqs))
        assert [title for _, title in seen["first"]] == [f"t{n}" for n in range(10)]
        await on_first.close()
        await on_second.close()


async def test_workers_share_events_and_only_one_watches(
    loki_home: Path, postgres_database_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "watched"
    (folder / ".loki" / "logs").mkdir(parents=True)
    with running_server(loki_home, postgres_database_url, "--workers", "2") as server:
        clients = [await connect(server.url) for _ in range(4)]  # spread over both workers
        for ws in clients:
            await subscribe(ws, ["global"])
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
            project = (await http.post("/api/projects", json={"path": str(folder)})).json()
            for ws in clients:
                message = await next_of(ws, {"project:created"})
                assert message["data"]["id"] == project["id"]
            (folder / ".loki" / "logs" / "agent.log").write_text("[INFO] exactly once\n")
            for _ in range(200):
                logs = (await http.get("/api/logs", params={"q": "exactly once"})).json()["items"]
                if logs:
                    break
                await asyncio.sleep(0.05)
            await asyncio.sleep(1.0)  # a second watcher, if there were one, would add its copy
            logs = (await http.get("/api/logs", params={"q": "exactly once"})).json()["items"]
        assert len(logs) == 1
        for ws in clients:
            await ws.close()


async def test_events_still_go_out_after_the_publishing_connection_is_lost(
    loki_home: Path, postgres_database_url: str, tmp_path: Path
) -> None:
    with running_server(loki_home, postgres_database_url) as server:
        ws, project, _ = await watched_project(server, tmp_path / "p")
        assert await terminate(postgres_database_url, "publish") == 1
        for n in range(3):
            await create_task(server, project["id"], f"after {n}")
        titles = [(await next_of(ws, {"task:created"}))["data"]["title"] for _ in range(3)]
        assert titles == ["after 0", "after 1", "after 2"]
        await ws.close()


async def test_a_lost_listener_makes_clients_resync_now_and_when_resuming_from_before(
    loki_home: Path, postgres_database_url: str, tmp_path: Path
) -> None:
    with running_server(loki_home, postgres_database_url) as server:
        ws, project, before = await watched_project(server, tmp_path / "p")
        # A seq drawn and never heard here: what an event published while deaf looks like.
        unheard = await sql(postgres_database_url, "SELECT nextval('loki_event_seq')")
        assert unheard > before
        assert await terminate(postgres_database_url, "listen") == 1
        resync = await next_of(ws, {"resync"})
        assert resync["seq"] >= before
        await create_task(server, project["id"], "after")
        after = await next_of(ws, {"task:created"})
        assert after["data"]["title"] == "after"
        # What passed while deaf is not kept: a resume from before it cannot be served.
        fresh = await connect(server.url)
        assert (await subscribe(fresh, ["global"], since=before))["type"] == "resync"
        assert (await subscribe(fresh, ["global"], since=after["seq"]))["type"] == "subscribed"
        await ws.close()
        await fresh.close()


async def test_an_event_over_the_notify_limit_reaches_the_other_process_whole(
    loki_home: Path, postgres_database_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "p"
    folder.mkdir()
    # Past NOTIFY's 8,000 bytes several times over, with characters that grow when escaped.
    description = "".join(f'line {n}: café ✓ "quoted" 🚀\n' for n in range(2_000))
    with (
        running_server(loki_home, postgres_database_url) as first,
        running_server(loki_home, postgres_database_url) as second,
    ):
        on_second = await connect(second.url)
        await subscribe(on_second, ["global"])
        async with httpx.AsyncClient(base_url=first.url, timeout=10) as http:
            project = (await http.post("/api/projects", json={"path": str(folder)})).json()
            body = {"project_id": project["id"], "title": "big", "description": description}
            created = await http.post("/api/tasks", json=body)
            assert created.status_code == 201
            await create_task(first, project["id"], "small after it")
        big = await next_of(on_second, {"task:created"})
        assert big["data"]["id"] == created.json()["id"]
        assert big["data"]["description"] == description
        assert len(big["data"]["description"].encode()) > 8_000 * 5
        after = await next_of(on_second, {"task:created"})
        assert after["data"]["title"] == "small after it"
        assert after["seq"] > big["seq"]
        await on_second.close()


async def test_a_resync_notice_reaches_every_process_and_marks_older_resumes(
    loki_home: Path, postgres_database_url: str
) -> None:
    """What a process sends when a batch may be lost (its connection failed during COMMIT)."""
    with (
        running_server(loki_home, postgres_database_url) as first,
        running_server(loki_home, postgres_database_url) as second,
    ):
        clients = [await connect(server.url) for server in (first, second)]
        for ws in clients:
            await subscribe(ws, ["global"])
        lost = await sql(postgres_database_url, "SELECT nextval('loki_event_seq')")
        await sql(
            postgres_database_url, "SELECT count(pg_notify('loki_events', $1))", f"resync:{lost}"
        )
        for ws in clients:
            assert (await next_of(ws, {"resync"}))["seq"] >= lost
        for server in (first, second):
            fresh = await connect(server.url)
            assert (await subscribe(fresh, ["global"], since=lost - 1))["type"] == "resync"
            assert (await subscribe(fresh, ["global"], since=lost))["type"] == "subscribed"
            await fresh.close()
        for ws in clients:
            await ws.close()
