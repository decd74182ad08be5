"""Load: task creation offered faster than 500 subscribers can be served, and idle log streams.

Task creation is offered open-loop (each request leaves on schedule whether or not the earlier
ones were answered, as from many clients) at 100/s for 10 s to a server with 500 WebSocket
subscribers on the project (batch frames, as the web app connects), held by a process of their
own as browsers would be. Reported: the rate of accepted creations and its ratio to the rate
offered, how many were refused with 503, the latency (from the moment each request was due) of
accepted and of refused ones as the client saw it and as the server measured it (its own
`/metrics`: from the request reaching the application to its answer), and whether every
subscriber got every accepted task. Then the server CPU that 400 idle log streams (SSE) cost.
SQLite, one server process. On this 2-core machine the subscribers' process, the load's and the
server share the cores: the figures are for the whole setup, as the red team measured it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import websockets

from common import cpu_seconds, percentile, server_process


async def open_subscribers(base: str, count: int, channel: str) -> list[Any]:
    url = base.replace("http://", "ws://") + "/ws?batch=1"
    sockets: list[Any] = []
    for start in range(0, count, 100):
        sockets += await asyncio.gather(
            *(websockets.connect(url, max_queue=None) for _ in range(min(100, count - start)))
        )
    for ws in sockets:
        await ws.send(json.dumps({"type": "subscribe", "channels": [channel]}))
    for ws in sockets:
        while '"subscribed"' not in await ws.recv():
            pass
    return sockets


async def post_json(base: str, path: str, body: dict[str, Any]) -> int:
    """POST on a connection of its own, answered status. Written out by hand: httpx's pool
    spends time per request that grows with the requests in flight, and at a thousand of them
    the load generator, not the server, set the latency."""
    host, port = base.removeprefix("http://").split(":")
    payload = json.dumps(body).encode()
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(
            f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n".encode() + payload
        )
        await writer.drain()
        status = int((await reader.readline()).split()[1])
        await reader.read()  # the rest, until the server closes
        return status
    finally:
        writer.close()


def line(name: str, samples: list[float]) -> str:
    if not samples:
        return f"{name:<42} n=0"
    return (
        f"{name:<42} n={len(samples):<5} p50={statistics.median(samples):8.1f} ms  "
        f"p99={percentile(samples, 99):8.1f} ms"
    )


async def hold_subscribers(base: str, count: int, channel: str) -> None:
    """The subscribers' process: say `ready`, count task:created until stdin closes, print."""
    sockets = await open_subscribers(base, count, channel)
    received = [0] * len(sockets)
    closed = 0

    async def tally(index: int, ws: Any) -> None:
        nonlocal closed
        try:
            async for raw in ws:
                received[index] += raw.count('"type":"task:created"')
        except websockets.ConnectionClosed:
            closed += 1

    readers = [asyncio.create_task(tally(i, ws)) for i, ws in enumerate(sockets)]
    print("ready", flush=True)
    await asyncio.to_thread(sys.stdin.read)
    print(json.dumps({"min": min(received), "max": max(received), "closed": closed}), flush=True)
    for reader in readers:
        reader.cancel()


def server_latencies(page: str) -> tuple[float, float]:
    """Mean server-side seconds of POST /api/tasks answered 201 and of all 503s."""
    sums: dict[str, float] = {}
    for text in page.splitlines():
        if 'route="/api/tasks"' in text and 'method="POST"' in text:
            name = text.split("{", 1)[0]
            sums[name] = sums.get(name, 0.0) + float(text.rsplit(" ", 1)[1])
    count = sums.get("loki_http_request_duration_seconds_count", 0.0)
    total = sums.get("loki_http_request_duration_seconds_sum", 0.0)
    return (total / count if count else 0.0), count


async def creation_under_subscribers(base: str, folder: Path, args: argparse.Namespace) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=120) as http:
        folder.mkdir()
        project = (await http.post("/api/projects", json={"path": str(folder)})).json()["id"]
    holder = subprocess.Popen(
        [sys.executable, __file__, "--hold", base, f"project:{project}", str(args.subscribers)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdout is not None
    ready = await asyncio.to_thread(holder.stdout.readline)
    assert ready.strip() == "ready", ready
    total = int(args.rate * args.seconds)
    latencies: dict[int, list[float]] = {201: [], 503: []}
    statuses: Counter[int] = Counter()
    started = time.perf_counter()

    async def create(n: int) -> None:
        due = started + n / args.rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        body = {"project_id": project, "title": f"load {n}"}
        try:
            status = await asyncio.wait_for(post_json(base, "/api/tasks", body), 120)
        except (OSError, ValueError, IndexError, TimeoutError):
            status = 0
        statuses[status] += 1
        latencies.setdefault(status, []).append((time.perf_counter() - due) * 1000)

    await asyncio.gather(*(create(n) for n in range(total)))
    elapsed = time.perf_counter() - started
    async with httpx.AsyncClient(base_url=base, timeout=120) as http:
        page = (await http.get("/metrics")).text
    accepted = statuses[201]
    await asyncio.sleep(5)  # let the last events reach the subscribers
    out, _ = await asyncio.to_thread(holder.communicate, "")
    got = json.loads(out.strip().splitlines()[-1])
    print(
        f"task creation, {args.subscribers} subscribers: offered {total} at {args.rate:g}/s; "
        f"accepted {accepted} (ratio {accepted / total:.2f}; {accepted / elapsed:.1f}/s over "
        f"{elapsed:.1f} s), refused 503: {statuses[503]}, other: "
        f"{sum(n for s, n in statuses.items() if s not in (201, 503))}; subscribers got "
        f"{got['min']}..{got['max']} of the {accepted}, {got['closed']} closed"
    )
    print(line("  client-side latency of accepted (201)", latencies[201]))
    print(line("  client-side latency of refused (503)", latencies[503]))
    mean, count = server_latencies(page)
    print(f"  server-side time of POST /api/tasks      n={count:<5.0f} mean={mean * 1000:8.1f} ms")


async def idle_streams(base: str, pid: int, folder: Path, streams: int, seconds: float) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        folder.mkdir()
        project = (await http.post("/api/projects", json={"path": str(folder)})).json()["id"]
    host, port = base.removeprefix("http://").split(":")
    request = (
        f"GET /api/logs/stream?project_id={project} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n"
    ).encode()
    connections = []
    for _ in range(streams):  # raw connections: each stays open, reading nothing more
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(request)
        await writer.drain()
        assert b" 200 " in await reader.readline()
        connections.append(writer)
    await asyncio.sleep(2)  # let the openings' own work settle
    before, wall = cpu_seconds(pid), time.perf_counter()
    await asyncio.sleep(seconds)
    used = (cpu_seconds(pid) - before) / (time.perf_counter() - wall)
    for writer in connections:
        writer.close()
    print(f"{streams} idle log streams (SSE): server CPU {used * 100:.1f} % of a core")


def main() -> None:
    if sys.argv[1:2] == ["--hold"]:
        base, channel, count = sys.argv[2:5]
        asyncio.run(hold_subscribers(base, int(count), channel))
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscribers", type=int, default=500)
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--streams", type=int, default=400)
    parser.add_argument("--idle-seconds", type=float, default=10)
    args = parser.parse_args()
    print("\n== load on SQLite (one server process)", flush=True)
    with tempfile.TemporaryDirectory(prefix="loki-bench-load-") as tmp:
        home = Path(tmp)
        env = {"LOKI_WATCHER_ENABLED": "false"}
        with server_process(home, f"sqlite:///{home}/bench.db", env) as (base, pid):
            asyncio.run(creation_under_subscribers(base, home / "busy", args))
            asyncio.run(idle_streams(base, pid, home / "idle", args.streams, args.idle_seconds))


if __name__ == "__main__":
    sys.exit(main())
