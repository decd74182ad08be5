"""SSE `GET /api/logs/stream` against a real server: live lines, filters, Last-Event-ID resume,
the connection cap. Lines come the way a run's do: appended to its `.loki/logs/agent.log`,
mirrored by the watcher, pushed to the streams."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fixtures.server import Server, running_server

LEVEL_TAGS = {"debug": "DEBUG", "info": "INFO", "warn": "WARN", "error": "ERROR"}


def write_logs(project: Path, *rows: tuple[str, str]) -> None:
    """Append `(level, text)` lines to the run's agent.log, as a run does."""
    with (project / ".loki" / "logs" / "agent.log").open("a") as log:
        for level, text in rows:
            log.write(f"[{LEVEL_TAGS[level]}] {text}\n")


def texts(messages: list[dict[str, Any]]) -> list[str]:
    return [m["data"]["message"].split("] ", 1)[1] for m in messages]


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


def run_folder(tmp_path: Path, name: str = "p") -> Path:
    folder = tmp_path / name
    (folder / ".loki" / "logs").mkdir(parents=True)
    return folder


async def register(server: Server, folder: Path) -> str:
    async with httpx.AsyncClient(base_url=server.url) as http:
        response = await http.post("/api/projects", json={"path": str(folder)})
    body: dict[str, Any] = response.json()
    return str(body["id"])


async def test_stream_delivers_new_lines_filtered_and_resumes_after_last_event_id(
    live_server: Server, tmp_path: Path
) -> None:
    folder = run_folder(tmp_path)
    project_id = await register(live_server, folder)
    params = {"project_id": project_id, "level": "warn"}
    async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as http:
        write_logs(folder, ("error", "before the stream"))
        stream = sse_events(http, {**params, "after": 0})
        assert texts(await take(stream, 1)) == ["before the stream"]
        # Now live: lines committed while the stream is open arrive, filtered by level.
        write_logs(folder, ("info", "quiet"), ("warn", "w1"), ("error", "e1"))
        got = await take(stream, 2)
        assert texts(got) == ["w1", "e1"]
        assert got[0]["id"] < got[1]["id"]
        assert got[0]["id"] == got[0]["data"]["id"]
        await stream.aclose()

        write_logs(folder, ("error", "e2"), ("debug", "d"), ("warn", "w3"))
        resumed = sse_events(http, params, headers={"Last-Event-ID": str(got[0]["id"])})
        again = await take(resumed, 3)
        assert texts(again) == ["e1", "e2", "w3"]
        await resumed.aclose()


async def test_a_stream_sees_only_its_project_and_source(
    live_server: Server, tmp_path: Path
) -> None:
    mine, other = run_folder(tmp_path, "mine"), run_folder(tmp_path, "other")
    mine_id = await register(live_server, mine)
    await register(live_server, other)
    async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as http:
        runner_only = sse_events(http, {"project_id": mine_id, "source": "runner", "after": 0})
        everything = sse_events(http, {"project_id": mine_id, "after": 0})
        write_logs(other, ("info", "not mine"))
        write_logs(mine, ("info", "mine"))
        assert texts(await take(everything, 1)) == ["mine"]
        # agent.log lines are not the runner's own output: the filtered stream stays quiet.
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(anext(runner_only), 1)
        await everything.aclose()


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
    folder = run_folder(tmp_path, "quiet")
    with running_server(loki_home, database_url, LOKI_WS_HEARTBEAT_SECONDS="0.2") as server:
        project_id = await register(server, folder)
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            params = {"project_id": project_id}
            async with http.stream("GET", "/api/logs/stream", params=params) as response:
                lines = response.aiter_lines()

                async def next_line() -> str:
                    return await asyncio.wait_for(anext(lines), 10)

                while (line := await next_line()) != ": keep-alive":
                    assert not line.startswith("data:"), line  # nothing was written yet
                write_logs(folder, ("info", "after the quiet"))
                while not (line := await next_line()).startswith("data: "):
                    pass
                assert json.loads(line[6:])["message"] == "[INFO] after the quiet"


async def test_streams_over_the_cap_get_503_with_retry_after(
    loki_home: Path, database_url: str, tmp_path: Path
) -> None:
    folder = run_folder(tmp_path)
    with running_server(loki_home, database_url, LOKI_SSE_MAX_CONNECTIONS="2") as server:
        project_id = await register(server, folder)
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            params = {"project_id": project_id, "after": 0}
            first, second = sse_events(http, params), sse_events(http, params)
            write_logs(folder, ("info", "both see it"))
            assert texts(await take(first, 1)) == texts(await take(second, 1)) == ["both see it"]
            refused = await http.get("/api/logs/stream", params=params)
            assert refused.status_code == 503
            assert refused.headers["retry-after"] == "1"
            assert "2 log streams" in refused.json()["error"]["message"]
            await first.aclose()
            # A closed stream frees its place once the server sees the client gone; until then
            # the answer is 503, and the client waits as Retry-After tells it to.
            while True:
                async with http.stream("GET", "/api/logs/stream", params=params) as response:
                    if response.status_code == 503:
                        await asyncio.sleep(float(response.headers["retry-after"]))
                        continue
                    assert response.status_code == 200
                    break
            await second.aclose()
