"""/ws against a real server: events after REST writes, resume, resync, slow clients, limits."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from tests.fixtures.server import Server, running_server
from tests.realtime.ws_client import connect, next_message, next_of, send, subscribe

EVENT_TYPES = {
    "project:created", "project:updated", "project:deleted", "task:created", "task:updated",
    "task:moved", "task:completed", "task:deleted", "session:started",
}  # fmt: skip


async def api(server: Server, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        response = await http.request(method, url, **kwargs)
    assert response.status_code < 400, response.text
    return response.json() if response.content else {}


async def drain(ws: websockets.ClientConnection, into: list[dict[str, Any]]) -> None:
    """Read until the server closes the connection (raises ConnectionClosed then)."""
    while True:
        into.append(json.loads(await asyncio.wait_for(ws.recv(), 10)))


async def register(server: Server, folder: Path) -> dict[str, Any]:
    folder.mkdir(parents=True, exist_ok=True)
    return await api(server, "POST", "/api/projects", json={"path": str(folder)})


async def test_every_rest_mutation_publishes_in_seq_order(
    live_server: Server, tmp_path: Path
) -> None:
    ws = await connect(live_server.url)
    assert (await subscribe(ws, ["global"]))["type"] == "subscribed"
    project = await register(live_server, tmp_path / "p")
    pid = project["id"]
    task = await api(live_server, "POST", "/api/tasks", json={"project_id": pid, "title": "t"})
    await api(live_server, "PATCH", f"/api/tasks/{task['id']}", json={"title": "t2"})
    await api(live_server, "PUT", f"/api/tasks/{task['id']}/move",
              json={"status": "completed", "column_order": 0})  # fmt: skip
    await api(live_server, "DELETE", f"/api/tasks/{task['id']}")
    await api(live_server, "POST", "/api/sessions", json={"project_id": pid, "start": False})
    await api(live_server, "PUT", f"/api/projects/{pid}", json={"name": "renamed"})
    await api(live_server, "DELETE", f"/api/projects/{pid}")
    expected = [
        "project:created", "task:created", "task:updated", "task:moved", "task:completed",
        "task:deleted", "session:started", "project:updated", "project:deleted",
    ]  # fmt: skip
    received = [await next_of(ws, EVENT_TYPES) for _ in expected]
    assert [m["type"] for m in received] == expected
    seqs = [m["seq"] for m in received]
    assert seqs == sorted(seqs)
    assert len(set(seqs)) == len(seqs)
    assert all(m["channel"] == "global" for m in received)
    assert received[1]["data"]["title"] == "t"
    assert received[7]["data"]["name"] == "renamed"
    await ws.close()


async def test_project_channel_gets_only_its_project(live_server: Server, tmp_path: Path) -> None:
    mine = await register(live_server, tmp_path / "mine")
    other = await register(live_server, tmp_path / "other")
    ws = await connect(live_server.url)
    channel = f"project:{mine['id']}"
    assert (await subscribe(ws, [channel]))["type"] == "subscribed"
    await api(live_server, "POST", "/api/tasks", json={"project_id": other["id"], "title": "no"})
    await api(live_server, "POST", "/api/tasks", json={"project_id": mine["id"], "title": "yes"})
    message = await next_of(ws, EVENT_TYPES)
    assert (message["type"], message["channel"]) == ("task:created", channel)
    assert message["data"]["title"] == "yes"
    await ws.close()


async def test_global_and_project_subscription_gets_each_event_once(
    live_server: Server, tmp_path: Path
) -> None:
    project = await register(live_server, tmp_path / "p")
    ws = await connect(live_server.url)
    await subscribe(ws, ["global", f"project:{project['id']}"])
    for n in range(3):
        await api(live_server, "POST", "/api/tasks",
                  json={"project_id": project["id"], "title": f"t{n}"})  # fmt: skip
    messages = [await next_of(ws, {"task:created"}) for _ in range(3)]
    await asyncio.sleep(0.3)  # a duplicate, if any, would arrive by now
    await send(ws, type="ping")
    while (message := await next_message(ws))["type"] != "pong":
        messages.append(message)
    created = [m for m in messages if m["type"] == "task:created"]
    assert [m["data"]["title"] for m in created] == ["t0", "t1", "t2"]
    # The narrower channel's copy is the one sent (global's log lines travel without text).
    assert {m["channel"] for m in created} == {f"project:{project['id']}"}
    await ws.close()


async def test_a_channel_added_with_since_brings_what_the_connection_had_not_had(
    live_server: Server, tmp_path: Path
) -> None:
    """A page fetches a project's data, then subscribes its channel on a live connection with
    the connection's last seq: the project's events since then arrive, even those numbered
    below events that other channels already brought, and none twice."""
    first = await register(live_server, tmp_path / "first")
    second = await register(live_server, tmp_path / "second")
    ws = await connect(live_server.url)
    since = (await subscribe(ws, [f"project:{first['id']}"]))["seq"]
    await api(live_server, "POST", "/api/tasks",
              json={"project_id": second["id"], "title": "missed"})  # fmt: skip
    await api(live_server, "POST", "/api/tasks",
              json={"project_id": first["id"], "title": "had"})  # fmt: skip
    had = await next_of(ws, {"task:created"})
    assert had["data"]["title"] == "had"
    answer = await subscribe(ws, [f"project:{second['id']}", f"project:{first['id']}"], since)
    assert answer["type"] == "subscribed"
    replayed = await next_of(ws, {"task:created"})
    assert replayed["data"]["title"] == "missed"
    assert replayed["seq"] < had["seq"]
    await send(ws, type="ping")
    rest = []
    while (message := await next_message(ws))["type"] != "pong":
        rest.append(message)
    assert [m for m in rest if m["type"] == "task:created"] == []  # "had" is not sent again
    await ws.close()


@pytest.fixture
def runner_server(loki_home: Path, database_url: str, tmp_path: Path) -> Iterator[Server]:
    """A server whose runner command (operator configuration) is the script `start_run` writes."""
    runner = str(tmp_path / "p" / "fake-loki")
    with running_server(loki_home, database_url, LOKI_RUNNER_COMMAND=runner) as server:
        yield server


async def start_run(server: Server, folder: Path, script: str) -> tuple[Any, str]:
    """A project whose runner is `script`, a client on its channel, and a started run."""
    (folder / ".loki").mkdir(parents=True)
    runner = folder / "fake-loki"
    runner.write_text("#!/usr/bin/env bash\n" + script)
    runner.chmod(0o755)
    body = {"path": str(folder)}
    project = await api(server, "POST", "/api/projects", json=body)
    ws = await connect(server.url)
    await subscribe(ws, [f"project:{project['id']}"])
    run = await api(server, "POST", "/api/sessions", json={"project_id": project["id"]})
    return ws, run["id"]


async def test_a_run_that_ends_reaches_clients_as_session_completed(
    runner_server: Server, tmp_path: Path
) -> None:
    ws, run_id = await start_run(runner_server, tmp_path / "p", "echo 'all done'\nexit 0\n")
    line = await next_of(ws, {"log:entry"})
    assert line["data"]["message"] == "all done"
    ended = await next_of(ws, {"session:completed", "session:stopped"})
    assert ended["type"] == "session:completed"
    assert (ended["data"]["id"], ended["data"]["status"]) == (run_id, "completed")
    assert ended["data"]["exit_code"] == 0
    assert ended["seq"] > line["seq"]
    await ws.close()


async def test_a_stopped_run_reaches_clients_as_stopping_then_session_stopped(
    runner_server: Server, tmp_path: Path
) -> None:
    ws, run_id = await start_run(runner_server, tmp_path / "p", "echo working\nsleep 60\n")
    assert (await next_of(ws, {"log:entry"}))["data"]["message"] == "working"
    await api(runner_server, "POST", f"/api/sessions/{run_id}/stop")
    kinds = {"session:updated", "session:stopped", "session:completed"}
    stopping = await next_of(ws, kinds)
    assert (stopping["type"], stopping["data"]["status"]) == ("session:updated", "stopping")
    stopped = await next_of(ws, kinds, timeout=20)
    assert stopped["type"] == "session:stopped"
    assert (stopped["data"]["id"], stopped["data"]["status"]) == (run_id, "stopped")
    assert stopped["seq"] > stopping["seq"]
    await ws.close()


async def test_bad_messages_get_errors_and_the_connection_stays_up(live_server: Server) -> None:
    ws = await connect(live_server.url)
    for raw, needle in (
        ("not json", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        ('{"type": "dance"}', "unknown message type"),
        ('{"type": "subscribe"}', "channels"),
        ('{"type": "subscribe", "channels": ["weird"]}', "unknown channel"),
        ('{"type": "subscribe", "channels": ["global"], "since": "yesterday"}', "since"),
        (f'{{"type": "subscribe", "channels": ["project:{uuid.uuid4()}"]}}', "no such project"),
        (f'{{"type": "subscribe", "channels": ["session:{uuid.uuid4()}"]}}', "no such session"),
        (json.dumps({"type": "subscribe", "channels": ["global"] * 101}), "at most 100"),
        (json.dumps({"type": "unsubscribe", "channels": "global"}), "channels"),
        (json.dumps({"type": "ping", "pad": "x" * 70_000}), "too large"),
    ):
        await ws.send(raw)
        answer = await next_of(ws, {"error", "subscribed"})
        assert answer["type"] == "error", raw
        assert needle in answer["data"]["message"], (raw, answer)
    await ws.send(b'{"type": "ping"}')  # a binary frame, even of valid JSON, is refused
    answer = await next_of(ws, {"error", "pong"})
    assert answer["type"] == "error"
    assert "binary" in answer["data"]["message"]
    await send(ws, type="ping")
    assert (await next_of(ws, {"pong"}))["type"] == "pong"
    await ws.close()


async def test_resume_with_since_has_no_gap_and_no_duplicate(
    live_server: Server, tmp_path: Path
) -> None:
    project = await register(live_server, tmp_path / "p")
    channel = f"project:{project['id']}"
    titles = [f"t{n:03}" for n in range(60)]
    received: list[str] = []
    last_seq = 0

    async def produce() -> None:
        for title in titles:
            await api(live_server, "POST", "/api/tasks",
                      json={"project_id": project["id"], "title": title})  # fmt: skip

    async def take(ws: websockets.ClientConnection, count: int) -> None:
        nonlocal last_seq
        while count:
            message = await next_of(ws, {"task:created"})
            assert message["seq"] > last_seq
            last_seq = message["seq"]
            received.append(message["data"]["title"])
            count -= 1

    ws = await connect(live_server.url)
    await subscribe(ws, [channel])
    producer = asyncio.create_task(produce())
    await take(ws, 15)
    await ws.close()  # a dropped connection while the producer keeps writing
    await asyncio.sleep(0.3)
    ws = await connect(live_server.url)
    answer = await subscribe(ws, [channel], since=last_seq)
    assert answer["type"] == "subscribed"
    await take(ws, len(titles) - 15)
    await producer
    assert received == titles
    await ws.close()


async def test_too_old_since_gets_resync(
    loki_home: Path, database_url: str, tmp_path: Path
) -> None:
    with running_server(loki_home, database_url, LOKI_WS_REPLAY_SIZE="5") as server:
        project = await register(server, tmp_path / "p")
        ws = await connect(server.url)
        answer = await subscribe(ws, ["global"])
        since = answer["seq"]
        for n in range(8):
            await api(server, "POST", "/api/tasks",
                      json={"project_id": project["id"], "title": f"t{n}"})  # fmt: skip
        fresh = await connect(server.url)
        assert (await subscribe(fresh, ["global"], since=since))["type"] == "resync"
        assert (await subscribe(fresh, ["global"], since=1))["type"] == "resync"
        await ws.close()
        await fresh.close()


async def test_resume_missing_more_than_the_client_queue_holds_is_replayed_in_full(
    loki_home: Path, database_url: str, tmp_path: Path
) -> None:
    """A replay does not count against the queue's bound: counted, it closed the client with
    1013, and its next resume did the same, for ever."""
    with running_server(loki_home, database_url, LOKI_WS_CLIENT_QUEUE="8") as server:
        project = await register(server, tmp_path / "p")
        ws = await connect(server.url)
        since = (await subscribe(ws, ["global"]))["seq"]
        seqs = []
        for n in range(20):
            await api(server, "POST", "/api/tasks",
                      json={"project_id": project["id"], "title": f"t{n}"})  # fmt: skip
            seqs.append((await next_of(ws, {"task:created"}))["seq"])
        fresh = await connect(server.url)
        assert (await subscribe(fresh, ["global"], since=since))["type"] == "subscribed"
        replayed = [(await next_of(fresh, {"task:created"}))["seq"] for _ in range(20)]
        assert replayed == seqs
        # Live events still flow after the replay, on the same connection.
        await api(server, "POST", "/api/tasks", json={"project_id": project["id"], "title": "x"})
        assert (await next_of(fresh, {"task:created"}))["data"]["title"] == "x"
        await ws.close()
        await fresh.close()


async def test_stalled_client_is_closed_1013_never_delays_others_and_resumes(
    loki_home: Path, database_url: str, tmp_path: Path
) -> None:
    with running_server(
        loki_home, database_url, LOKI_WS_CLIENT_QUEUE="8", LOKI_WS_HEARTBEAT_SECONDS="0.3"
    ) as server:
        project = await register(server, tmp_path / "p")
        stalled = await connect(server.url, max_queue=1)
        healthy = await connect(server.url)
        await subscribe(stalled, ["global"])
        await subscribe(healthy, ["global"])
        big = "x" * 99_000  # fills socket buffers quickly, so the stall shows on the server
        titles = [f"t{n}" for n in range(80)]
        for title in titles:
            body = {"project_id": project["id"], "title": title, "description": big}
            await api(server, "POST", "/api/tasks", json=body)
            message = await next_of(healthy, {"task:created"})
            assert message["data"]["title"] == title
        # The server let go of the stalled client: only the healthy one is counted.
        heartbeat = await next_of(healthy, {"heartbeat"})
        assert heartbeat["data"]["connections"] == 1
        got: list[dict[str, Any]] = []
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await drain(stalled, got)  # what the socket held comes through, then the close
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1013
        since = int(closed.value.rcvd.reason.rpartition("since=")[2])
        had = [m for m in got if m["type"] == "task:created"]
        assert had, "the stalled client received nothing before it stalled"
        assert had[-1]["seq"] == since  # the reason names the last event that went out
        # Resuming from it brings exactly the rest, in order.
        again = await connect(server.url)
        assert (await subscribe(again, ["global"], since=since))["type"] == "subscribed"
        rest = [await next_of(again, {"task:created"}) for _ in range(len(titles) - len(had))]
        assert [m["data"]["title"] for m in had + rest] == titles
        seqs = [m["seq"] for m in had + rest]
        assert seqs == sorted(set(seqs))
        await healthy.close()
        await again.close()


async def test_batching_client_gets_a_burst_in_array_frames_in_order(
    live_server: Server, tmp_path: Path
) -> None:
    project = await register(live_server, tmp_path / "p")
    ids = [
        (await api(live_server, "POST", "/api/tasks",
                   json={"project_id": project["id"], "title": f"t{n}"}))["id"]
        for n in range(50)
    ]  # fmt: skip
    channel = [f"project:{project['id']}"]
    batching = await connect(live_server.url, "?batch=1")
    plain = await connect(live_server.url)
    assert (await subscribe(batching, channel))["type"] == "subscribed"
    assert (await subscribe(plain, channel))["type"] == "subscribed"
    body = {"action": "update", "ids": ids, "update": {"priority": "low"}}
    for _ in range(3):  # each request is one burst of 50 task:updated events
        await api(live_server, "POST", "/api/tasks/bulk", json=body)

    async def frames(ws: websockets.ClientConnection) -> list[Any]:
        received: list[Any] = []
        count = 0
        while count < 150:
            frame = json.loads(await asyncio.wait_for(ws.recv(), 10))
            received.append(frame)
            count += sum(
                m["type"] == "task:updated" for m in (frame if isinstance(frame, list) else [frame])
            )
        return received

    batched, single = await frames(batching), await frames(plain)
    assert all(isinstance(frame, dict) for frame in single)
    assert any(isinstance(frame, list) and len(frame) > 1 for frame in batched)
    assert len(batched) < len(single)
    flat = [m for frame in batched for m in (frame if isinstance(frame, list) else [frame])]
    seqs = [m["seq"] for m in flat if m["type"] == "task:updated"]
    assert seqs == [m["seq"] for m in single if m["type"] == "task:updated"]
    assert seqs == sorted(set(seqs))
    await batching.close()
    await plain.close()


async def test_connection_cap_and_heartbeat(loki_home: Path, database_url: str) -> None:
    with running_server(
        loki_home, database_url, LOKI_WS_MAX_CONNECTIONS="2", LOKI_WS_HEARTBEAT_SECONDS="0.2"
    ) as server:
        first = await connect(server.url)
        second = await connect(server.url)
        # A beat may go out between the second handshake and its registration: wait for one
        # that counts both (a server that never counts them fails here after 5 s).
        counts = [(await next_of(first, {"heartbeat"}, timeout=5))["data"]["connections"]]
        while counts[-1] != 2 and len(counts) < 25:
            counts.append((await next_of(first, {"heartbeat"}, timeout=5))["data"]["connections"])
        assert counts[-1] == 2, counts
        third = await connect(server.url)
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(third.recv(), 5)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1013
        assert "limit" in closed.value.rcvd.reason
        await first.close()
        await second.close()
