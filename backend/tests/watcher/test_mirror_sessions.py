from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from loki_dashboard.loki.liveness import SESSION_JSON_FRESH
from loki_dashboard.models import Agent, RunSession
from loki_dashboard.watcher.service import WatcherService
from tests.loki.processes import loki_like_process
from tests.watcher.conftest import Db, Events, eventually, loki, write_json

STATE = {
    "mode": "autonomous",
    "provider": "claude",
    "phase": "BOOTSTRAP",
    "iteration": 0,
    "memory": {"episodic": 2, "semantic": 0, "procedural": 0},
    "council": {"enabled": True, "votes": 1},
    "tasks": {"pending": [], "inProgress": []},
    "agents": [],
}


@pytest.fixture
def runner() -> Iterator[subprocess.Popen[bytes]]:
    with loki_like_process() as proc:
        yield proc


async def _sessions(db: Db, project: dict[str, Any]) -> list[RunSession]:
    rows = await db.rows(RunSession, RunSession.project_id == uuid.UUID(project["id"]))
    return sorted(rows, key=lambda r: r.started_at)


class TestSessions:
    async def test_run_lifecycle_status_phase_iteration_snapshot(
        self,
        client: httpx.AsyncClient,
        db: Db,
        project: dict[str, Any],
        events: Events,
        runner: subprocess.Popen[bytes],
    ) -> None:
        folder = loki(project)
        (folder / "loki.pid").write_text(f"{runner.pid}\n")
        write_json(folder / "state" / "orchestrator.json", {"currentPhase": "BOOTSTRAP"})
        write_json(
            folder / "autonomy-state.json",
            {"iterationCount": 2, "status": "running", "pid": runner.pid, "prdPath": "PRD.md"},
        )
        write_json(folder / "dashboard-state.json", STATE)

        async def running() -> RunSession | None:
            rows = await _sessions(db, project)
            ok = rows and rows[-1].status == "running" and rows[-1].iteration == 2
            return rows[-1] if ok else None

        session = await eventually(running)
        assert session.pid == runner.pid
        assert session.prd_path == "PRD.md"
        assert session.phase == "BOOTSTRAP"
        assert session.snapshot is not None
        assert session.snapshot["memory"]["episodic"] == 2
        assert session.snapshot["council"]["votes"] == 1
        assert "iteration" not in session.snapshot
        served = (await client.get(f"/api/sessions/{session.id}")).json()
        assert served["snapshot"]["memory"]["episodic"] == 2
        assert served["status"] == "running"
        started = events.of("session:started")[0].data
        assert started["id"] == str(session.id)
        assert started["snapshot"]["alive"] is True

        write_json(folder / "state" / "orchestrator.json", {"currentPhase": "BUILDING"})
        (folder / "quality").mkdir()
        (folder / "quality" / "gate-failures.txt").write_text("lint: 3 errors\n")
        (folder / "PAUSE").write_text("2026-11-24T12:00:00Z")

        async def pause_requested() -> bool:
            row = (await _sessions(db, project))[-1]
            asked = (row.snapshot or {}).get("pause") == "requested"
            return row.status == "running" and asked and row.phase == "BUILDING"

        # The runner goes on until its next boundary: "pause requested", not "paused" yet.
        await eventually(pause_requested)
        write_json(
            folder / "autonomy-state.json",
            {"iterationCount": 2, "status": "paused", "pid": runner.pid, "prdPath": "PRD.md"},
        )

        async def paused() -> bool:
            row = (await _sessions(db, project))[-1]
            return row.status == "paused" and (row.snapshot or {}).get("pause") == "paused"

        await eventually(paused)

        async def gates() -> bool:
            snapshot = (await _sessions(db, project))[-1].snapshot or {}
            return snapshot.get("quality") == {"failures": ["lint: 3 errors"]}

        await eventually(gates)
        (folder / "PAUSE").unlink()
        runner.kill()
        runner.wait()
        write_json(
            folder / "autonomy-state.json",
            {
                "iterationCount": 3,
                "status": "max_iterations_reached",
                "pid": runner.pid,
                "lastExitCode": 20,
            },
        )

        async def ended() -> RunSession | None:
            rows = await _sessions(db, project)
            return rows[-1] if rows[-1].status not in ("running", "paused") else None

        # The iteration limit stops a run; it does not complete its work.
        final = await eventually(ended)
        assert (final.status, final.outcome) == ("stopped", "max_iterations")
        assert final.summary == "Stopped at its iteration limit after 3 iterations."
        assert final.id == session.id  # one row per run
        assert final.exit_code == 20
        assert final.ended_at is not None
        kinds = events.types()
        for kind in (
            "session:started",
            "session:paused",
            "session:stopped",
            "phase:completed",
            "phase:started",
        ):
            assert kind in kinds
        phases = [e.data["phase"] for e in events.of("phase:started")]
        assert phases == ["BOOTSTRAP", "BUILDING"]

    async def test_stale_pid_file_is_a_stopped_run_and_a_new_pid_a_new_run(
        self, db: Db, project: dict[str, Any], runner: subprocess.Popen[bytes]
    ) -> None:
        folder = loki(project)
        (folder / "loki.pid").write_text("999999\n")
        await eventually(lambda: _status_is(db, project, "stopped"))
        (folder / "loki.pid").write_text(f"{runner.pid}\n")

        async def two_runs() -> list[RunSession] | None:
            rows = await _sessions(db, project)
            return rows if len(rows) == 2 and rows[-1].status == "running" else None

        rows = await eventually(two_runs)
        assert rows[0].status == "stopped"
        assert rows[1].run_key == f"pid:{runner.pid}"

    async def test_invalid_dashboard_state_keeps_last_good_value(
        self, db: Db, project: dict[str, Any], watcher: WatcherService
    ) -> None:
        folder = loki(project)
        write_json(folder / "dashboard-state.json", STATE)
        await eventually(lambda: _status_is(db, project, "stopped"))
        await watcher.settle()
        # Renamed into place, yet invalid: the runner pasted a half-written file into it.
        tmp = folder / "dashboard-state.json.tmp.1"
        tmp.write_text('{"mode": "autonomous", "memory": {"episodic": ')
        tmp.rename(folder / "dashboard-state.json")
        await watcher.reconcile()
        await watcher.settle()
        (row,) = await _sessions(db, project)
        assert row.snapshot is not None
        assert row.snapshot["memory"]["episodic"] == 2
        write_json(folder / "dashboard-state.json", {**STATE, "memory": {"episodic": 9}})

        async def updated() -> bool:
            (row,) = await _sessions(db, project)
            return bool(row.snapshot and row.snapshot["memory"]["episodic"] == 9)

        await eventually(updated)

    async def test_status_endpoint_reports_the_watcher(
        self, client: httpx.AsyncClient, project: dict[str, Any]
    ) -> None:
        assert project["missing"] is False

        async def watched() -> dict[str, Any] | None:
            body: dict[str, Any] = (await client.get("/api/status")).json()["watcher"]
            return body if body["projects"] == 1 and body["watched_folders"] >= 1 else None

        body = await eventually(watched)
        assert body["enabled"] is True
        assert body["mode"] in {"inotify", "polling"}


class TestSnapshot:
    """Files other than dashboard-state.json that feed the session's snapshot."""

    async def test_tokens_from_context_tracking(self, db: Db, project: dict[str, Any]) -> None:
        folder = loki(project)
        write_json(folder / "dashboard-state.json", STATE)
        totals = {"total_input": 1200, "total_output": 300, "total_cost_usd": 0.42}
        write_json(folder / "context" / "tracking.json", {"provider": "claude", "totals": totals})

        async def tokens() -> dict[str, Any] | None:
            rows = await _sessions(db, project)
            snapshot = (rows[-1].snapshot or {}) if rows else {}
            found: dict[str, Any] | None = snapshot.get("tokens")
            return found

        found = await eventually(tokens)
        assert (found["input"], found["output"], found["cost_usd"]) == (1200, 300, 0.42)

    async def test_signals_listed_and_cleared(self, db: Db, project: dict[str, Any]) -> None:
        folder = loki(project)
        write_json(folder / "dashboard-state.json", STATE)
        await eventually(lambda: _status_is(db, project, "stopped"))
        write_json(folder / "signals" / "BUDGET_EXCEEDED", {"type": "budget", "limit": 5})
        (folder / "signals" / "GATE_ESCALATION").write_text("lint\n")

        async def signals() -> list[str] | None:
            snapshot = (await _sessions(db, project))[-1].snapshot or {}
            found: list[str] | None = snapshot.get("signals")
            return found if found and len(found) == 2 else None

        assert await eventually(signals) == ["BUDGET_EXCEEDED", "GATE_ESCALATION"]
        for path in (folder / "signals").iterdir():
            path.unlink()

        async def cleared() -> bool:
            snapshot = (await _sessions(db, project))[-1].snapshot or {}
            return "signals" not in snapshot

        await eventually(cleared)

    async def test_memory_counted_from_its_folders(self, db: Db, project: dict[str, Any]) -> None:
        folder = loki(project)
        write_json(folder / "dashboard-state.json", STATE)  # its copy says episodic 2
        day = folder / "memory" / "episodic" / "2026-11-24"
        write_json(day / "task-1.json", {"id": "e1"})
        (day / ".tmp_abc.json").write_text("{}")  # a writer's temp file: not counted
        (day / "task-1.json.lock").write_text("")
        write_json(folder / "memory" / "semantic" / "patterns.json", {"patterns": []})

        async def counted(episodic: int) -> dict[str, int] | None:
            rows = await _sessions(db, project)
            memory = (rows[-1].snapshot or {}).get("memory") if rows else None
            return memory if memory and memory.get("episodic") == episodic else None

        memory = await eventually(lambda: counted(1))
        assert memory == {"episodic": 1, "semantic": 1, "procedural": 0}
        write_json(day / "task-2.json", {"id": "e2"})
        write_json(folder / "memory" / "episodic" / "2026-11-25" / "task-3.json", {"id": "e3"})
        await eventually(lambda: counted(3))  # counted again once the 5 s throttle ends

    async def test_provider_from_state_provider_not_the_frozen_copy(
        self, db: Db, project: dict[str, Any]
    ) -> None:
        folder = loki(project)
        write_json(folder / "dashboard-state.json", STATE)  # "claude", frozen at start
        await eventually(lambda: _status_is(db, project, "stopped"))
        (folder / "state").mkdir(exist_ok=True)
        (folder / "state" / "provider").write_text("codex\n")

        async def switched() -> bool:
            rows = await _sessions(db, project)
            return rows[-1].provider == "codex"

        await eventually(switched)
        assert len(await _sessions(db, project)) == 1


class TestRunFiles:
    """Every liveness and status file of the protocol, through the real watcher."""

    async def test_runner_entry_in_pids_stop_then_completed(
        self, db: Db, project: dict[str, Any], runner: subprocess.Popen[bytes]
    ) -> None:
        folder = loki(project)
        write_json(folder / "pids" / f"{runner.pid}.json", {"pid": runner.pid, "kind": "runner"})
        await eventually(lambda: _status_is(db, project, "running"))
        (folder / "STOP").write_text("2026-11-24T12:00:00Z")
        await eventually(lambda: _status_is(db, project, "stopping"))
        runner.kill()
        runner.wait()
        (folder / "STOP").unlink()
        (folder / "COMPLETED").write_text("done\n")
        await eventually(lambda: _status_is(db, project, "completed"))
        (row,) = await _sessions(db, project)
        assert row.run_key == f"pid:{runner.pid}"
        assert row.ended_at is not None

    async def test_session_folder_autonomy_state_and_run_pid(
        self, db: Db, project: dict[str, Any], runner: subprocess.Popen[bytes]
    ) -> None:
        folder = loki(project)
        state = {"iterationCount": 5, "status": "running", "prdPath": "docs/PRD.md"}
        write_json(folder / "sessions" / "issue-7" / "autonomy-state.json", state)
        (folder / "run-issue-7.pid").write_text(f"{runner.pid}\n")

        async def running() -> RunSession | None:
            rows = await _sessions(db, project)
            ok = rows and rows[-1].status == "running" and rows[-1].iteration == 5
            return rows[-1] if ok else None

        row = await eventually(running)
        assert row.prd_path == "docs/PRD.md"
        assert row.pid == runner.pid

    async def test_council_and_checklist_from_their_own_files(
        self, db: Db, project: dict[str, Any]
    ) -> None:
        folder = loki(project)
        (folder / "loki.pid").write_text("999999\n")  # a run that ended; no dashboard-state
        write_json(folder / "council" / "state.json", {"enabled": True, "total_votes": 3})
        summary = {"total": 4, "verified": 3, "failing": 1, "pending": 0}
        write_json(folder / "checklist" / "verification-results.json", {"summary": summary})

        async def snapshot() -> dict[str, Any] | None:
            rows = await _sessions(db, project)
            found = (rows[-1].snapshot or {}) if rows else {}
            return found if "council" in found and "checklist" in found else None

        found = await eventually(snapshot)
        assert found["council"]["total_votes"] == 3
        assert found["checklist"]["summary"]["failing"] == 1


class TestAgents:
    async def test_history_kept_flip_to_empty_ignored_and_keyed_by_tool_id(
        self,
        db: Db,
        project: dict[str, Any],
        events: Events,
        watcher: WatcherService,
        runner: subprocess.Popen[bytes],
    ) -> None:
        folder = loki(project)
        (folder / "loki.pid").write_text(str(runner.pid))
        agents_file = folder / "state" / "agents.json"
        two = [
            {
                "agent_id": "agent-toolu_01",
                "tool_id": "toolu_A",
                "agent_type": "backend",
                "status": "active",
                "current_task": "Edit: a.py",
            },
            {"agent_id": "agent-toolu_01", "tool_id": "toolu_B", "status": "active"},
        ]
        write_json(agents_file, two)
        await eventually(lambda: _agents(db, project, 2))
        write_json(agents_file, [])  # the second writer's flip
        agents_file.write_bytes(b"")  # caught empty mid-write
        await watcher.reconcile()
        await watcher.settle()
        rows = await _agents(db, project, 2)
        assert rows
        assert all(r.status == "active" for r in rows)
        write_json(agents_file, [two[0] | {"status": "completed"}])

        async def ended() -> dict[str, str] | None:
            rows = await _agents(db, project, 2)
            got = {r.external_id: r.status for r in rows or []}
            return got if got == {"toolu_A": "completed", "toolu_B": "ended"} else None

        await eventually(ended)
        assert len(events.of("agent:spawned")) == 2
        assert len(events.of("agent:completed")) == 2
        runner.kill()
        runner.wait()
        await watcher.reconcile()
        await watcher.settle()
        rows = await _agents(db, project, 2)
        assert rows is not None
        assert all(r.ended_at is not None for r in rows)


class TestLiveness:
    """A run that dies writes no file: its session must still end, found by the re-check."""

    async def test_killed_runner_ends_its_session_and_agents_with_no_file_change(
        self,
        db: Db,
        project: dict[str, Any],
        events: Events,
        runner: subprocess.Popen[bytes],
    ) -> None:
        folder = loki(project)
        (folder / "loki.pid").write_text(f"{runner.pid}\n")
        write_json(
            folder / "state" / "agents.json",
            [{"agent_id": "a", "tool_id": "toolu_A", "status": "active"}],
        )

        async def live() -> bool:
            agents = await _agents(db, project, 1)
            running = await _status_is(db, project, "running")
            return running and bool(agents) and agents[0].status == "active"

        await eventually(live)
        runner.kill()
        runner.wait()

        async def ended() -> list[Agent] | None:
            agents = await _agents(db, project, 1)
            stopped = await _status_is(db, project, "stopped")
            return agents if stopped and agents and agents[0].ended_at is not None else None

        (agent,) = await eventually(ended)
        assert agent.status == "ended"
        # Known by its pid file's pid even dead: the same row ended, no second one appeared.
        (row,) = await _sessions(db, project)
        assert row.run_key == f"pid:{runner.pid}"
        assert agent.session_id == row.id
        assert "session:stopped" in events.types()
        assert "agent:completed" in events.types()

    async def test_a_run_recorded_through_the_api_is_the_run_the_files_show(
        self,
        client: httpx.AsyncClient,
        db: Db,
        project: dict[str, Any],
        runner: subprocess.Popen[bytes],
    ) -> None:
        """start=false records a session for a run started elsewhere: when that run appears,
        it is this session (not a second live one beside it, which would never end)."""
        response = await client.post(
            "/api/sessions", json={"project_id": project["id"], "start": False}
        )
        recorded = response.json()
        assert recorded["status"] == "starting"
        (loki(project) / "loki.pid").write_text(f"{runner.pid}\n")
        await eventually(lambda: _status_is(db, project, "running"))
        (row,) = await _sessions(db, project)
        assert (str(row.id), row.run_key) == (recorded["id"], f"pid:{runner.pid}")
        runner.kill()
        runner.wait()
        await eventually(lambda: _status_is(db, project, "stopped"))
        (row,) = await _sessions(db, project)
        assert str(row.id) == recorded["id"]
        # The row is claimed now: the next run is a new session.
        with loki_like_process() as second:
            (loki(project) / "loki.pid").write_text(f"{second.pid}\n")
            await eventually(lambda: _status_is(db, project, "running"))
            first, latest = await _sessions(db, project)
            assert (first.id, first.status) == (row.id, "stopped")
            assert latest.run_key == f"pid:{second.pid}"

    async def test_stale_session_json_heartbeat_ends_the_run(
        self, db: Db, project: dict[str, Any]
    ) -> None:
        # A skill-mode run: no pid, only a heartbeat, fresh for 8 more seconds.
        updated = datetime.now(UTC) - SESSION_JSON_FRESH + timedelta(seconds=8)
        write_json(
            loki(project) / "session.json",
            {"status": "running", "updatedAt": updated.isoformat()},
        )
        await eventually(lambda: _status_is(db, project, "running"))
        await eventually(lambda: _status_is(db, project, "stopped"), timeout=30)
        (row,) = await _sessions(db, project)
        assert row.ended_at is not None


async def _status_is(db: Db, project: dict[str, Any], status: str) -> bool:
    rows = await _sessions(db, project)
    return bool(rows) and rows[-1].status == status


async def _agents(db: Db, project: dict[str, Any], n: int) -> list[Agent] | None:
    rows = await db.rows(Agent, Agent.project_id == uuid.UUID(project["id"]))
    return rows if len(rows) == n else None
