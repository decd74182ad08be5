"""Load shedding on a real server: a burst of changes against 500 WebSocket subscribers is
answered with quick 503s and `Retry-After`, not queued without bound; what was accepted is
stored once and reaches every subscriber."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import websockets

from tests.fixtures.prometheus import value
from tests.fixtures.server import Server, running_server
from tests.realtime.ws_client import ws_url

SUBSCRIBERS = 500
BURST = 300
WRITE_LIMIT = 16


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


async def subscribe_all(server: Server, channel: str) -> list[Any]:
    sockets: list[Any] = []
    for start in range(0, SUBSCRIBERS, 100):
        sockets += await asyncio.gather(
            *(
                websockets.connect(ws_url(server.url), open_timeout=30, max_queue=None)
                for _ in range(min(100, SUBSCRIBERS - start))
            )
        )
    for ws in sockets:
        await ws.send(json.dumps({"type": "subscribe", "channels": [channel]}))
    for ws in sockets:
        while json.loads(await ws.recv())["type"] != "subscribed":
            pass
    return sockets


async def test_a_burst_against_500_subscribers_gets_503s_and_queues_stay_bounded(
    loki_home: Path, database_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "p"
    folder.mkdir()
    settings = {
        "LOKI_MAX_CONCURRENT_WRITES": str(WRITE_LIMIT),
        "LOKI_WATCHER_ENABLED": "false",
    }
    with running_server(loki_home, database_url, **settings) as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
            project = (await http.post("/api/projects", json={"path": str(folder)})).json()
        sockets = await subscribe_all(server, f"project:{project['id']}")
        received = [0] * len(sockets)
        closed: list[int] = []
        progress = asyncio.Event()

        async def count(index: int, ws: Any) -> None:
            try:
                async for raw in ws:
                    received[index] += raw.count('"type":"task:created"')
                    progress.set()
            except websockets.ConnectionClosed as exc:
                closed.append(exc.rcvd.code if exc.rcvd else 0)
                progress.set()

        readers = [asyncio.create_task(count(i, ws)) for i, ws in enumerate(sockets)]
        rss_before = rss_mb(server.process.pid)

        # Every request on a connection of its own, all at once: an open-loop burst, as from
        # many clients, not a polite client waiting for each answer.
        limits = httpx.Limits(max_connections=BURST, max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=server.url, timeout=120, limits=limits) as burst:
            answers = await asyncio.gather(
                *(
                    burst.post("/api/tasks", json={"project_id": project["id"], "title": f"t{n}"})
                    for n in range(BURST)
                )
            )
        statuses = Counter(answer.status_code for answer in answers)
        assert set(statuses) <= {201, 503}, statuses
        assert statuses[503] > 0, statuses
        for answer in answers:
            if answer.status_code == 503:
                assert answer.headers["retry-after"] == "1"
                assert answer.json()["error"]["code"] == "overloaded"
        created = statuses[201]
        assert created > 0

        async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
            board = await http.get("/api/tasks", params={"project_id": project["id"], "limit": 500})
            # Nothing refused was stored, nothing accepted was lost or doubled.
            assert len(board.json()["items"]) == created
            page = (await http.get("/metrics")).text
        assert value(page, "loki_load_shed_total") == statuses[503]
        assert value(page, "loki_load_shed_total", reason="writes") > 0
        refused = value(page, "loki_http_requests_total", route="unrouted", status="503")
        assert refused == statuses[503]
        assert value(page, "loki_http_requests_total", route="/api/tasks", status="201") == created

        # Every subscriber gets every accepted change: no client queue overflowed (1013).
        async def all_delivered() -> None:
            while min(received) < created and not closed:
                progress.clear()
                await progress.wait()

        await asyncio.wait_for(all_delivered(), 180)
        assert not closed
        assert set(received) == {created}
        assert rss_mb(server.process.pid) - rss_before < 150
        for reader in readers:
            reader.cancel()
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)


async def in_progress(
    http: httpx.AsyncClient, *, at_least: int = 0, at_most: int = 1 << 30
) -> None:
    """Until the server reports a number of requests in progress within the bounds."""
    while True:
        now = value((await http.get("/metrics")).text, "loki_http_requests_in_progress")
        if at_least <= now <= at_most:
            return
        await asyncio.sleep(0.05)


async def test_over_the_write_limit_changes_get_503_but_reads_and_run_controls_go_on(
    loki_home: Path, database_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "p"
    folder.mkdir()
    with running_server(loki_home, database_url, LOKI_MAX_CONCURRENT_WRITES="1") as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            project = (await http.post("/api/projects", json={"path": str(folder)})).json()
            task = {"project_id": project["id"], "title": "t"}
            body = json.dumps(task).encode()
            # A change whose body is slow to come: in progress for as long as it is held.
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
            writer.write(
                f"POST /api/tasks HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
            )
            await writer.drain()
            await asyncio.wait_for(in_progress(http, at_least=1), 30)

            refused = await http.post("/api/tasks", json=task)
            assert refused.status_code == 503
            assert refused.headers["retry-after"] == "1"
            assert "1 changes are waiting" in refused.json()["error"]["message"]
            assert (await http.get("/api/projects")).status_code == 200
            # Stopping a run must work under any load: never refused for it.
            control = await http.post(f"/api/sessions/{uuid.uuid4()}/stop")
            assert control.status_code == 404

            writer.write(body)
            await writer.drain()
            assert b" 201 " in await reader.readline()
            writer.close()
            await asyncio.wait_for(in_progress(http, at_most=0), 30)
            assert (await http.post("/api/tasks", json=task)).status_code == 201
