"""Real-time delivery: REST mutation → WebSocket receipt with 1, 100 and 1,000 clients.

Latency is measured from the event's own timestamp (taken in the server just before the commit)
to its receipt by each client, on one machine so both clocks are the same; with 1,000 clients
also the time until the last of them has an event. Throughput is the
rate of task events (bulk updates, 200 tasks per request) that 100 clients all receive with none
of them falling behind (a client that falls behind is closed with 1013 by the server), for
clients that take batch frames (`/ws?batch=1`, as the web app does) and for plain ones. Last,
the server CPU per delivered message for each of uvicorn's WebSocket implementations, with and
without per-message deflate: the figures behind the defaults in config.py.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import websockets

from common import cpu_seconds, running_server, server_process, summary

WS_IMPLEMENTATIONS = ["websockets-sansio", "websockets", "wsproto"]


def messages(raw: str | bytes) -> list[dict[str, Any]]:
    """The messages of one frame: a batch frame is a JSON array of them."""
    parsed = json.loads(raw)
    return parsed if isinstance(parsed, list) else [parsed]


async def open_clients(base: str, count: int, channel: str, *, batch: bool = False) -> list[Any]:
    url = base.replace("http://", "ws://") + "/ws" + ("?batch=1" if batch else "")
    clients = []
    for start in range(0, count, 100):
        batch = await asyncio.gather(
            *(websockets.connect(url, max_queue=None) for _ in range(min(100, count - start)))
        )
        clients.extend(batch)
    for ws in clients:
        await ws.send(json.dumps({"type": "subscribe", "channels": [channel]}))
    for ws in clients:
        while json.loads(await ws.recv())["type"] != "subscribed":
            pass
    # These clients stand in for browsers, each its own process: keep this process's collector
    # from walking a thousand connections' buffers in the middle of a measurement.
    gc.collect()
    gc.freeze()
    return clients


async def latency_round(base: str, project: str, task: str, clients: int, events: int) -> None:
    sockets = await open_clients(base, clients, f"project:{project}")
    latencies: list[float] = []

    async def receive(ws: Any) -> None:
        for _ in range(events):
            message = json.loads(await ws.recv())
            while message["type"] != "task:updated":
                message = json.loads(await ws.recv())
            now = time.time()
            sent = datetime.fromisoformat(message["timestamp"]).timestamp()
            latencies.append((now - sent) * 1000)

    receivers = [asyncio.create_task(receive(ws)) for ws in sockets]
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        for n in range(events):
            response = await http.patch(f"/api/tasks/{task}", json={"title": f"bench {n}"})
            response.raise_for_status()
            await asyncio.sleep(0.005)
    await asyncio.wait_for(asyncio.gather(*receivers), 120)
    target = 15 if clients == 100 else None
    print(summary(f"commit -> WS receipt, {clients} clients", latencies, target))
    for ws in sockets:
        await ws.close()


async def reach_all(base: str, project: str, task: str, events: int) -> None:
    """Time from the event's commit until the last of 1,000 clients has it."""
    sockets = await open_clients(base, 1000, f"project:{project}")
    samples: list[float] = []

    async def first_update(ws: Any) -> tuple[float, float]:
        while True:
            message = json.loads(await ws.recv())
            if message["type"] == "task:updated":
                return time.time(), datetime.fromisoformat(message["timestamp"]).timestamp()

    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        for n in range(events):
            waiters = [asyncio.create_task(first_update(ws)) for ws in sockets]
            response = await http.patch(f"/api/tasks/{task}", json={"title": f"all {n}"})
            response.raise_for_status()
            results = await asyncio.wait_for(asyncio.gather(*waiters), 60)
            samples.append((max(r for r, _ in results) - results[0][1]) * 1000)
    print(summary("one event to all 1000 clients", samples, 150))
    for ws in sockets:
        await ws.close()


async def make_tasks(http: httpx.AsyncClient, project: str, count: int) -> list[str]:
    ids = []
    for n in range(count):
        response = await http.post("/api/tasks", json={"project_id": project, "title": f"t{n}"})
        ids.append(response.json()["id"])
    return ids


async def throughput(base: str, project: str, seconds: float, *, batch: bool) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        ids = await make_tasks(http, project, 200)
        sockets = await open_clients(base, 100, f"project:{project}", batch=batch)
        counts = [0] * len(sockets)
        closed: list[int] = []

        async def count(index: int, ws: Any) -> None:
            try:
                async for raw in ws:
                    if batch and raw.startswith("["):
                        counts[index] += raw.count('"type":"task:updated"')
                    elif '"task:updated"' in raw[:40]:
                        counts[index] += 1
            except websockets.ConnectionClosed as exc:
                if exc.rcvd is not None and exc.rcvd.code == 1013:
                    closed.append(index)

        readers = [asyncio.create_task(count(i, ws)) for i, ws in enumerate(sockets)]
        started = time.perf_counter()
        sent = 0
        while time.perf_counter() - started < seconds:
            response = await http.post(
                "/api/tasks/bulk",
                json={"action": "update", "ids": ids, "update": {"priority": "high"}},
            )
            response.raise_for_status()
            sent += len(ids)
        elapsed = time.perf_counter() - started
        deadline = time.perf_counter() + 30
        while min(counts) < sent and time.perf_counter() < deadline and not closed:
            await asyncio.sleep(0.1)
        drained = time.perf_counter() - started
        for ws in sockets:
            await ws.close()
        for reader in readers:
            reader.cancel()
    rate = sent / drained
    verdict = "met" if rate >= 2000 and not closed else "MISSED"
    name = "batch frames (web app)" if batch else "one frame per event"
    print(
        f"{'events/s to 100 clients, ' + name:<50} sent={sent} in {elapsed:.1f} s, all "
        f"delivered after {drained:.1f} s: {rate:,.0f} events/s per client, "
        f"{len(closed)} clients closed 1013  target >= 2000/s: {verdict}"
    )


async def delivery_cpu(base: str, pid: int, rounds: int, folder: Path) -> float:
    """Server CPU µs per delivered message (100 plain clients, deflate if the server offers it),
    net of the same requests with nobody listening."""
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        folder.mkdir()
        project = (await http.post("/api/projects", json={"path": str(folder)})).json()["id"]
        ids = await make_tasks(http, project, 200)

        async def burst() -> float:
            before = cpu_seconds(pid)
            for n in range(rounds):
                update = {"priority": "high" if n % 2 else "low"}
                body = {"action": "update", "ids": ids, "update": update}
                (await http.post("/api/tasks/bulk", json=body)).raise_for_status()
            return cpu_seconds(pid) - before

        alone = await burst()
        sockets = await open_clients(base, 100, f"project:{project}")
        wanted = rounds * len(ids)

        async def read_all(ws: Any) -> None:
            got = 0
            while got < wanted:
                got += sum(m["type"] == "task:updated" for m in messages(await ws.recv()))

        readers = [asyncio.create_task(read_all(ws)) for ws in sockets]
        before = cpu_seconds(pid)
        await burst()
        await asyncio.wait_for(asyncio.gather(*readers), 120)
        listened = cpu_seconds(pid) - before
        for ws in sockets:
            await ws.close()
    return (listened - alone) / (wanted * len(sockets)) * 1e6


def compare_implementations(rounds: int) -> None:
    print("\n== server CPU per delivered message, by uvicorn WebSocket implementation", flush=True)
    results = {}
    for implementation in WS_IMPLEMENTATIONS:
        for deflate in (False, True):
            with tempfile.TemporaryDirectory(prefix="loki-bench-ws-") as tmp:
                home = Path(tmp)
                env = {
                    "LOKI_WS_CLIENT_QUEUE": "50000", "LOKI_WATCHER_ENABLED": "false",
                    "LOKI_WS_IMPLEMENTATION": implementation,
                    "LOKI_WS_PER_MESSAGE_DEFLATE": str(deflate).lower(),
                }  # fmt: skip
                with server_process(home, f"sqlite:///{home}/bench.db", env) as (base, pid):
                    cost = asyncio.run(delivery_cpu(base, pid, rounds, home / "project"))
            results[(implementation, deflate)] = cost
            label = f"{implementation}, deflate {'on' if deflate else 'off'}"
            print(f"{label:<42} {cost:6.1f} µs server CPU per delivery", flush=True)
    best = min(results, key=lambda key: results[key])
    default = ("websockets-sansio", False)
    print(
        f"{'cheapest':<42} {best[0]}, deflate {'on' if best[1] else 'off'}; the default "
        f"(websockets-sansio, deflate off) costs {results[default] / results[best]:.2f}x it"
    )


async def scenario(base: str, args: argparse.Namespace, folder: Path) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        folder.mkdir()
        project = (await http.post("/api/projects", json={"path": str(folder)})).json()["id"]
        task = (await http.post("/api/tasks", json={"project_id": project, "title": "x"})).json()
    await latency_round(base, project, task["id"], 1, args.events)
    await latency_round(base, project, task["id"], 100, args.events)
    await latency_round(base, project, task["id"], 1000, args.events_1000)
    await reach_all(base, project, task["id"], args.events_1000)
    await throughput(base, project, args.seconds, batch=True)
    await throughput(base, project, args.seconds, batch=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--events-1000", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--cpu-rounds", type=int, default=10, help="bulk requests of 200 events")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="loki-bench-") as tmp:
        home = Path(tmp)
        print("\n== real-time delivery on SQLite (one server process)", flush=True)
        # The shipped client queue (LOKI_WS_CLIENT_QUEUE): "before any client lags" means
        # before the server would close one of them with 1013 as it is configured by default.
        env = {"LOKI_WATCHER_ENABLED": "false"}
        with running_server(home, f"sqlite:///{home}/bench.db", env) as base:
            asyncio.run(scenario(base, args, home / "project"))
    compare_implementations(args.cpu_rounds)


if __name__ == "__main__":
    sys.exit(main())
