from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from loki_dashboard.loki.agents import parse_agents
from loki_dashboard.loki.dashboard_state import parse_dashboard_state
from loki_dashboard.loki.run_state import (
    parse_autonomy_state,
    parse_orchestrator,
    read_provider,
)
from loki_dashboard.loki.timestamps import parse_time

STATE = {
    "timestamp": "2026-08-10T12:00:02Z",
    "mode": "autonomous",
    "provider": "claude",
    "phase": "building",
    "iteration": 0,
    "complexity": "standard",
    "startedAt": "2026-08-10T11:50:00Z",
    "rarv": {"currentStep": 0},
    "tasks": {
        "pending": [{"id": "prd-001", "title": "Login"}],
        "inProgress": "not a list",
        "completed": [{"id": "prd-001"}],
    },
    "agents": [{"agent_id": "a", "tool_id": "t1"}],
    "memory": {"episodic": 4},
    "council": {"enabled": False},
    "checklist": None,
}


class TestDashboardState:
    def test_live_fields_kept_frozen_fields_dropped(self) -> None:
        state = parse_dashboard_state(STATE)
        assert state is not None
        assert state.phase == "BUILDING"
        assert state.mode == "autonomous"
        assert "iteration" not in state.snapshot
        assert "rarv" not in state.snapshot
        assert state.snapshot["memory"] == {"episodic": 4}
        assert "checklist" not in state.snapshot  # null sections are left out
        assert [(t.external_id, t.status) for t in state.tasks] == [
            ("prd-001", "pending"),
            ("prd-001", "completed"),
        ]
        assert [a.external_id for a in state.agents] == ["t1"]

    def test_wrong_shapes(self) -> None:
        assert parse_dashboard_state([1, 2]) is None
        state = parse_dashboard_state({"tasks": [], "agents": {"x": 1}, "phase": 5})
        assert state is not None
        assert state.tasks == []
        assert state.agents == []
        assert state.phase == "5"


class TestAgents:
    def test_subagents_sharing_agent_id_are_keyed_by_tool_id(self) -> None:
        agents = parse_agents(
            [
                {"agent_id": "agent-toolu_01", "tool_id": "toolu_A", "status": "active"},
                {
                    "agent_id": "agent-toolu_01",
                    "tool_id": "toolu_B",
                    "status": "completed",
                    "tool_count": "5",
                    "spawned_at": "2026-08-10T11:50:00Z",
                },
                {"agent_id": "orchestrator-main", "agent_type": "orchestrator"},
                {"no": "id"},
                "junk",
            ]
        )
        assert [a.external_id for a in agents] == ["toolu_A", "toolu_B", "orchestrator-main"]
        assert agents[1].status == "completed"
        assert agents[1].tool_count == 5
        assert agents[1].spawned_at == datetime(2026, 8, 10, 11, 50, tzinfo=UTC)
        assert agents[2].type == "orchestrator"

    def test_flipped_to_empty_and_wrong_shape(self) -> None:
        assert parse_agents([]) == []
        assert parse_agents("x") == []
        assert parse_agents(None) == []


class TestRunState:
    def test_autonomy_state(self) -> None:
        state = parse_autonomy_state(
            {
                "iterationCount": 3,
                "status": "MAX_ITERATIONS_REACHED",
                "pid": "42",
                "lastExitCode": 20,
                "prdPath": "PRD.md",
            }
        )
        assert (state.iteration, state.status, state.pid, state.last_exit_code) == (
            3,
            "max_iterations_reached",
            42,
            20,
        )
        empty = parse_autonomy_state([1])
        assert empty.iteration is None
        assert empty.status is None

    def test_orchestrator_phase_and_rarv(self) -> None:
        assert parse_orchestrator({"currentPhase": "reason"}).phase == "REASON"
        assert parse_orchestrator({"currentPhase": {"x": 1}}).phase is None
        assert parse_orchestrator("junk").metrics == {}

    def test_provider_from_state_file_then_tracking(self, tmp_path: Path) -> None:
        assert read_provider(tmp_path) is None
        (tmp_path / "context").mkdir()
        (tmp_path / "context" / "tracking.json").write_text(json.dumps({"provider": "Gemini"}))
        assert read_provider(tmp_path) == "gemini"
        (tmp_path / "state").mkdir()
        (tmp_path / "state" / "provider").write_text("codex\n")
        assert read_provider(tmp_path) == "codex"
        (tmp_path / "state" / "provider").write_text("\n")  # caught empty: the next source
        assert read_provider(tmp_path) == "gemini"

    def test_times(self) -> None:
        assert parse_time("2026-08-10T12:00:00Z") == datetime(2026, 8, 10, 12, tzinfo=UTC)
        assert parse_time(1786363200000) == parse_time(1786363200)
        assert parse_time("") is None
        assert parse_time("yesterday") is None
        assert parse_time(True) is None
