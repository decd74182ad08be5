"""No event is dropped silently: what the fast encoder refuses is written by the standard one,
and an event nothing can write is logged and skipped while the rest of its batch goes out."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from loki_dashboard.realtime.events import DomainEvent
from loki_dashboard.realtime.hub import Hub
from loki_dashboard.realtime.wire import GLOBAL
from tests.fixtures.factories import create_project

BIG = 2**70


def delivered(hub: Hub, channel: str = GLOBAL) -> list[dict[str, Any]]:
    return [json.loads(text) for _, text in hub.replay.events(channel)]


async def test_a_batch_with_a_huge_integer_goes_out_whole_in_order() -> None:
    hub = Hub(replay_size=100, start_seq=0)
    batch = [
        DomainEvent("project:updated", {"n": 1}),
        DomainEvent("project:updated", {"config": {"big": BIG}}),
        DomainEvent("project:updated", {"n": 3}),
    ]
    await hub.publish(batch)
    messages = delivered(hub)
    assert [m["seq"] for m in messages] == [1, 2, 3]
    assert messages[1]["data"] == {"config": {"big": BIG}}  # exact, not a float
    assert hub.seq == 3


async def test_an_event_nothing_can_write_is_logged_and_skipped_without_a_gap(
    caplog: pytest.LogCaptureFixture,
) -> None:
    hub = Hub(replay_size=100, start_seq=0)
    loop: dict[str, Any] = {}
    loop["self"] = loop  # neither encoder can write a cycle
    batch = [
        DomainEvent("project:updated", {"n": 1}),
        DomainEvent("project:updated", loop),
        DomainEvent("project:updated", {"n": 3}),
    ]
    with caplog.at_level(logging.ERROR, logger="loki_dashboard.realtime.hub"):
        await hub.publish(batch)
    assert [(m["seq"], m["data"]) for m in delivered(hub)] == [(1, {"n": 1}), (2, {"n": 3})]
    assert any("could not be delivered" in r.getMessage() for r in caplog.records)


async def test_a_huge_integer_in_a_runs_events_reaches_clients(
    app: FastAPI, client: Any, project_dir: Path
) -> None:
    """From the hostile side: the run's own events.jsonl, not a request."""
    (project_dir / ".loki").mkdir()
    project = await create_project(client, project_dir)
    data = {"iteration": 1, "tokens": BIG}
    line = {"timestamp": "2026-12-06T10:00:00Z", "type": "iteration_complete", "data": data}
    (project_dir / ".loki" / "events.jsonl").write_text(json.dumps(line) + "\n")
    hub: Hub = app.state.hub
    channel = f"project:{uuid.UUID(project['id'])}"
    for _ in range(400):
        entries = [m for m in delivered(hub, channel) if m["type"] == "log:entry"]
        if entries:
            break
        await asyncio.sleep(0.025)
    assert entries, "the run's event never reached the project's channel"
    assert str(BIG) in entries[0]["data"]["message"]
