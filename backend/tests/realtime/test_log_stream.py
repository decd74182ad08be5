"""SSE `GET /api/logs/stream` against a real server: live lines, filters, Last-Event-ID resume."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import create_async_engine

from loki_dashboard.models import Log
from tests.fixtures.server import Server, running_server


async def write_logs(database_url: str, project_id: str, *rows: tuple[str, str]) -> None:
    """Insert log lines straight into the server's database, as the watcher of a run would."""
    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                insert(Log),
                [
                    {"project_id": uuid.UUID(project_id), "level": level, "message": text}
                    for level, text in rows
                ],
            )
    finally:
        await engine.dispose()


async def sse_events(
    http: httpx.AsyncClient, params: dict[str, Any], headers: dict[str, str] | None = None
) -> AsyncIterator[dict[str, Any]]:
    """Parse the stream into {id, event, data} messages (comments are skipped)."""
    async with http.stream("GET", "/api/logs/stream", params=params, headers=headers) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        message: dict[str, Any] = {}
        async for line in response.aiter_lines():
            if line == "":
                if "data" in message:
                    yield message
                message = {}
            elif line.startswith("id: "):
                message["id"] = int(line[4:])
            elif line.startswith("data: "):
                message["data"] = json.loads(line[6:])


async def take(stream: AsyncIterator[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    async def collect() -> list[dict[str, Any]]:
        return [await anext(stream) for _ in range(count)]

    return await asyncio.wait_for(collect(), 15)


@pytest.fixture
async def project_id(live_server: Server, tmp_path: Path) -> str:
    folder = tmp_path / "p"
    folder.mkdir()
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        response = await http.post("/api/projects", json={"path": str(folder)})
    body: dict[str, Any] = response.json()
    return str(body["id"])


async def test_stream_delivers_new_lines_filtered_and_resumes_after_last_event_id(
    live_server: Server, database_url: str, project_id: str
) -> None:
    params = {"project_id": project_id, "level": "warn"}
    async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as http:
        await write_logs(database_url, project_id, ("error", "before the stream"))
        stream = sse_events(http, {**params, "after": 0})
        assert [m["data"]["message"] for m in await take(stream, 1)] == ["before the stream"]
        # Now live: lines committed while the stream is open arrive, filtered by level.
        await write_logs(
            database_url, project_id, ("info", "quiet"), ("warn", "w1"), ("error", "e1")
        )
        got = await take(stream, 2)
        assert [m["data"]["message"] for m in got] == ["w1", "e1"]
        assert got[0]["id"] < got[1]["id"]
        assert got[0]["id"] == got[0]["data"]["id"]
        await stream.aclose()

        await write_logs(database_url, project_id, ("error", "e2"), ("debug", "d"), ("warn", "w3"))
        resumed = sse_events(http, params, headers={"Last-Event-ID": str(got[0]["id"])})
        again = await take(resumed, 3)
        assert [m["data"]["message"] for m in again] == ["e1", "e2", "w3"]
        await resumed.aclose()


async def test_bad_parameters_are_422_before_streaming(live_server: Server) -> None:
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        response = await http.get("/api/logs/stream", headers={"Last-Event-ID": "abc"})
        assert response.status_code == 422
        assert "Last-Event-ID" in response.json()["error"]["message"]
        for params in (
            {"level": "loud"},
            {"project_id": "x"},
            {"after": -1},
            {"session_id": "\x00"},
        ):
            response = await http.get("/api/logs/stream", params=params)
            assert response.status_code == 422, params
            assert response.json()["error"]["message"]


async def test_a_quiet_stream_sends_keep_alive_comments_and_stays_live(
    loki_home: Path, database_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "quiet"
    folder.mkdir()
    with running_server(loki_home, database_url, LOKI_WS_HEARTBEAT_SECONDS="0.2") as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            project = (await http.post("/api/projects", json={"path": str(folder)})).json()
            params = {"project_id": project["id"]}
            async with http.stream("GET", "/api/logs/stream", params=params) as response:
                lines = response.aiter_lines()

                async def next_line() -> str:
                    return await asyncio.wait_for(anext(lines), 10)

                while (line := await next_line()) != ": keep-alive":
                    assert not line.startswith("data:"), line  # nothing was written yet
                await write_logs(database_url, project["id"], ("info", "after the quiet"))
                while not (line := await next_line()).startswith("data: "):
                    pass
                assert json.loads(line[6:])["message"] == "after the quiet"
