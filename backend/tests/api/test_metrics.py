"""`GET /metrics`: what Prometheus reads, who may read it, and that it adds up across
`--workers` processes."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from fastapi import FastAPI

from loki_dashboard.app import create_app
from loki_dashboard.config import load_settings
from loki_dashboard.models import RunSession
from loki_dashboard.models.task import TASK_STATUSES
from loki_dashboard.realtime.hub import DELIVERY_SAMPLE
from tests.fixtures.factories import create_project, create_task, insert
from tests.fixtures.prometheus import label_values, names, value
from tests.fixtures.server import Server, running_server
from tests.realtime.ws_client import connect, next_of, subscribe

TOKEN = "loki_" + "m" * 43


async def scrape(client: httpx.AsyncClient) -> str:
    response = await client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


async def test_requests_are_counted_by_route_template_not_by_raw_path(
    client: httpx.AsyncClient, project_dir: Path
) -> None:
    project = await create_project(client, project_dir)
    before = await scrape(client)
    for _ in range(5):
        assert (await client.get(f"/api/tasks/{uuid.uuid4()}")).status_code == 404
    await create_task(client, project["id"])
    page = await scrape(client)
    template = {"route": "/api/tasks/{task_id}", "method": "GET", "status": "404"}
    assert (
        value(page, "loki_http_requests_total", **template)
        - value(before, "loki_http_requests_total", **template)
        == 5
    )
    created = {"route": "/api/tasks", "method": "POST", "status": "201"}
    assert value(page, "loki_http_requests_total", **created) >= 1
    routes = label_values(page, "loki_http_requests_total", "route")
    assert not [route for route in routes if re.search(r"[0-9a-f]{8}-[0-9a-f]{4}", route)]
    assert value(page, "loki_http_request_duration_seconds_count", route="/api/tasks") >= 1


async def test_fleet_figures_come_from_the_database(
    app: FastAPI, client: httpx.AsyncClient, project_dir: Path
) -> None:
    project = await create_project(client, project_dir, name="fleet-project")
    await create_task(client, project["id"], title="one")
    done = await create_task(client, project["id"], title="two")
    assert (await client.patch(f"/api/tasks/{done['id']}", json={"status": "completed"})).is_success
    project_id = uuid.UUID(project["id"])
    await insert(
        app,
        RunSession(project_id=project_id, status="completed",
                   snapshot={"tokens": {"input": 1000, "output": 250, "cost_usd": 0.5}}),
        RunSession(project_id=project_id, status="running",
                   snapshot={"tokens": {"input": 24, "output": "lots", "cost_usd": None}}),
        RunSession(project_id=project_id, status="failed", snapshot={"tokens": "garbage"}),
        RunSession(project_id=project_id, status="failed", snapshot=None),
    )  # fmt: skip
    page = await scrape(client)
    assert value(page, "loki_tasks", status="pending") == 1
    assert value(page, "loki_tasks", status="completed") == 1
    assert value(page, "loki_tasks", status="review") == 0
    assert value(page, "loki_runs", status="running") == 1
    assert value(page, "loki_runs", status="failed") == 2
    assert value(page, "loki_runs", status="paused") == 0
    pid = str(project_id)
    # A run's own numbers only; what is not a number counts as nothing (never a failed scrape).
    assert value(page, "loki_project_tokens", project_id=pid, direction="input") == 1024
    assert value(page, "loki_project_tokens", project_id=pid, direction="output") == 250
    assert value(page, "loki_project_cost_usd", project_id=pid) == 0.5
    assert value(page, "loki_project_info", project_id=pid, name="fleet-project") == 1


async def test_metrics_need_read_scope_from_elsewhere(loki_home: Path, database_url: str) -> None:
    settings = load_settings(home=str(loki_home), database_url=database_url, token=TOKEN)
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application, client=("10.1.2.3", 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://10.0.0.1:57374") as c:
            refused = await c.get("/metrics")
            assert refused.status_code == 401
            allowed = await c.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
            assert allowed.status_code == 200
            assert "loki_http_requests_total" in allowed.text


def write_queue(project: Path) -> None:
    (project / ".loki" / "queue").mkdir(parents=True)
    (project / ".loki" / "queue" / "pending.json").write_text("[]")


async def test_live_figures_of_a_real_server(live_server: Server, tmp_path: Path) -> None:
    folder = tmp_path / "run"
    folder.mkdir()
    write_queue(folder)
    (folder / ".loki" / "logs").mkdir()
    async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as http:
        project = (await http.post("/api/projects", json={"path": str(folder)})).json()
        clients = [await connect(live_server.url) for _ in range(3)]
        for ws in clients:
            await subscribe(ws, [f"project:{project['id']}"])
        async with http.stream(
            "GET", "/api/logs/stream", params={"project_id": project["id"]}
        ) as stream:
            lines = stream.aiter_lines()
            assert await anext(lines) == "retry: 1000"
            # Tasks into the run's queue file: queue writes, and events to all three. Delivery
            # is timed for one event in eight: tasks until one of theirs was.
            created = 0
            while created < 64:
                await create_task(http, project["id"], title=f"queued {created}")
                created += 1
                seqs = {(await next_of(ws, {"task:created"}))["seq"] for ws in clients}
                if seqs.pop() % DELIVERY_SAMPLE == 0:
                    break
            # A line the run writes: mirrored by the watcher, pushed to the stream.
            (folder / ".loki" / "logs" / "agent.log").write_text("[INFO] hello\n")
            while not (line := await asyncio.wait_for(anext(lines), 15)).startswith("data:"):
                pass
            assert json.loads(line[6:])["message"] == "[INFO] hello"
            page = (await http.get("/metrics")).text
        for ws in clients:
            await ws.close()
    assert value(page, "loki_websocket_clients") == 3
    assert value(page, "loki_sse_streams") == 1
    assert value(page, "loki_server_processes") == 1
    assert value(page, "loki_queue_write_seconds_count") == created
    assert value(page, "loki_event_delivery_seconds_count") >= 3  # that event, to all three
    assert value(page, "loki_watcher_lag_seconds_count") >= 1
    assert {"loki_event_loop_lag_seconds", "loki_delivery_backlog_messages"} <= names(page)


@pytest.fixture
def postgres_database_url(postgres_url: str) -> str:
    return postgres_url


async def test_with_workers_any_process_answers_for_all_of_them(
    loki_home: Path, postgres_database_url: str
) -> None:
    with running_server(loki_home, postgres_database_url, "--workers", "2") as server:
        base = server.url

        async def one_request() -> None:
            # A connection of its own each time, so the kernel spreads them over the workers.
            async with httpx.AsyncClient(base_url=base, timeout=30) as http:
                assert (await http.get("/api/status")).status_code == 200

        for _ in range(40):
            await one_request()
        clients: list[Any] = []
        for _ in range(6):
            ws = await websockets.connect(base.replace("http", "ws") + "/ws", open_timeout=10)
            clients.append(ws)
        pages = []
        deadline = asyncio.get_running_loop().time() + 30
        # Each worker hands its gauges over once a second: the sum settles within that.
        while asyncio.get_running_loop().time() < deadline:
            async with httpx.AsyncClient(base_url=base, timeout=30) as http:
                page = (await http.get("/metrics")).text
            pages.append(page)
            settled = value(page, "loki_websocket_clients") == 6
            if settled and value(page, "loki_server_processes") == 2 and len(pages) >= 4:
                break
            await asyncio.sleep(0.25)
        for page in pages:
            # Counters are exact on every scrape, whichever worker answers it.
            assert value(page, "loki_http_requests_total", route="/api/status") == 40
            # The fleet's figures come from the database once, not once per worker.
            assert label_values(page, "loki_tasks", "status") == set(TASK_STATUSES)
            assert page.count("\nloki_tasks{") == len(TASK_STATUSES)
        assert value(pages[-1], "loki_server_processes") == 2
        assert value(pages[-1], "loki_websocket_clients") == 6
        for ws in clients:
            await ws.close()
