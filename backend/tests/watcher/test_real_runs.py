"""Every recorded real run, imported by the real watcher: what the API shows must be what the
run's files say (tests/fixtures/real_runs), down to its times, its own cost and its events."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from loki_dashboard.loki.timestamps import parse_time
from tests.fixtures.factories import create_project
from tests.fixtures.real_runs import REAL_RUNS, load_real_run, scenario
from tests.loki.processes import loki_like_process
from tests.loki.test_run_facts import EXPECTED
from tests.watcher.conftest import eventually

SLACK = timedelta(seconds=2)


@contextlib.contextmanager
def runner_for(name: str) -> Iterator[int | None]:
    """A live stand-in for the runner of a live snapshot (its recorded pid is long gone)."""
    if not scenario(name)["snapshot"]["runner_alive"]:
        yield None
        return
    with loki_like_process() as proc:
        yield proc.pid


async def _session(client: httpx.AsyncClient, project_id: str, status: str) -> dict[str, Any]:
    async def settled() -> dict[str, Any] | None:
        items = (await client.get("/api/sessions", params={"project_id": project_id})).json()
        runs = items["items"]
        return runs[0] if runs and runs[0]["status"] == status and runs[0]["summary"] else None

    return await eventually(settled)


@pytest.mark.parametrize("name", REAL_RUNS)
async def test_an_imported_run_shows_what_its_files_say(
    name: str, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    expected = EXPECTED[name]
    with runner_for(name) as pid:
        run = load_real_run(name, tmp_path / "project", runner_pid=pid)
        project = await create_project(client, run.loki_dir.parent)
        session = await _session(client, project["id"], expected.status)
        facts = run.facts
        assert (session["outcome"], expected.summary in session["summary"]) == (
            expected.outcome,
            True,
        )
        assert parse_time(session["started_at"]) == parse_time(facts["started_at"])
        if run.alive:
            assert session["ended_at"] is None
        elif facts.get("ended_at"):
            ended = parse_time(session["ended_at"])
            want = parse_time(facts["ended_at"])
            assert ended is not None
            assert want is not None
            assert abs(ended - want) <= SLACK
        assert session["iteration"] == facts["iterations"]["count"]
        assert (session["cost_usd"] or 0) == pytest.approx(facts.get("cost_usd") or 0, abs=1e-6)
        assert session["phase"] != "FAILED"

        # The overview dates the run from its files, and totals are sums of runs.
        card = next(
            c
            for c in (await client.get("/api/overview")).json()
            if c["project"]["id"] == project["id"]
        )
        assert card["last_activity_at"] == session["last_activity_at"]
        assert parse_time(card["last_activity_at"]) is not None
        assert card["totals"]["runs"] == 1
        assert card["totals"]["cost_usd"] == pytest.approx(session["cost_usd"] or 0, abs=1e-6)

        # This run's events are filed under its session (earlier runs' are not), with their own
        # times, and its phase changes made the session's timeline.
        started = parse_time(facts["started_at"])
        assert started is not None
        own = [
            line
            for line in (run.loki_dir / "events.jsonl").read_text().splitlines()
            if (at := parse_time(json.loads(line)["timestamp"])) and at >= started - SLACK
        ]

        async def filed() -> list[dict[str, Any]] | None:
            page = await client.get(
                "/api/logs", params={"session_id": session["id"], "source": "events", "limit": 500}
            )
            items: list[dict[str, Any]] = page.json()["items"]
            return items if len(items) == len(own) else None

        events = await eventually(filed)
        assert all(parse_time(e["timestamp"]) >= started - SLACK for e in events)  # type: ignore[operator]
        current = await client.get(f"/api/sessions/{session['id']}")
        phases = current.json()["snapshot"].get("phases", [])
        # The agent's log: dated from the run's own headers, filed under it, levels parsed
        # (the runner's `=== ... ===` headers are steps), and its RARV stage lit.
        if facts["iterations"]["count"]:

            async def logged() -> list[dict[str, Any]] | None:
                page = await client.get(
                    "/api/logs",
                    params={"session_id": session["id"], "source": "agent.log", "limit": 500},
                )
                items: list[dict[str, Any]] = page.json()["items"]
                return items if any(item["level"] == "step" for item in items) else None

            lines = await eventually(logged)
            assert {line["level"] for line in lines} >= {"info", "step"}
            ended = parse_time(session["ended_at"]) if session["ended_at"] else None
            for line in lines:
                at = parse_time(line["timestamp"])
                assert at is not None
                assert at >= started - SLACK
                assert ended is None or at <= ended + SLACK

            async def lit() -> dict[str, Any] | None:
                body = (await client.get(f"/api/sessions/{session['id']}")).json()
                found: dict[str, Any] | None = body["snapshot"].get("rarv")
                return found

            assert (await eventually(lit))["stage"] in {"REASON", "ACT", "REFLECT", "VERIFY"}
        # Each agent's tokens and cost come from the agent's stream; together the agents cost
        # what the run's own iteration records say it spent.
        if not run.alive and facts["iterations"]["count"]:

            async def costed() -> list[dict[str, Any]] | None:
                found = await client.get("/api/agents", params={"session_id": session["id"]})
                agents: list[dict[str, Any]] = found.json()["items"]
                spent = sum(agent["cost"] for agent in agents)
                return agents if spent == pytest.approx(session["cost_usd"], abs=1e-4) else None

            agents = await eventually(costed)
            main = next(agent for agent in agents if agent["external_id"] == "orchestrator-main")
            assert main["tokens_used"] > 0
            assert main["cost"] > 0
        # The runner's answer to human input, and the model the agent runs on, from the files.
        snapshot = (await client.get(f"/api/sessions/{session['id']}")).json()["snapshot"]
        answer = {"human-input-accepted": "accepted", "human-input-rejected": "rejected"}
        if name in answer:
            assert snapshot["human_input"]["outcome"] == answer[name]
            assert snapshot["accepts_input"] is (name == "human-input-accepted")
        else:
            assert "human_input" not in snapshot
        if facts["iterations"]["count"]:

            async def model() -> str | None:
                body = (await client.get(f"/api/sessions/{session['id']}")).json()
                found: str | None = body["snapshot"].get("model", {}).get("name")
                return found

            assert (await eventually(model)).startswith("claude-sonnet")
        # Run 2 of second-run-live has not changed phase yet (run 1's changes are not its own).
        want = [] if name == "second-run-live" else ["BUILDING"]
        assert [p["phase"] for p in phases][:1] == want
