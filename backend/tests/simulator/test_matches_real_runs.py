"""The simulator writes what the real runner writes: each scenario against its recorded run.

Names, shapes (key sets), statuses, exit codes, outcome lines and the order of events are
compared with `tests/fixtures/real_runs/`; times, pids and the provider's texts differ by nature.
"""

from __future__ import annotations

import re
import signal
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.real_runs import FIXTURES as REAL_RUNS_DIR
from tests.simulator.simulation import real, real_events, simulation

# The event types run.sh writes that the simulator writes too (gates are a subset by design).
CORE_EVENTS = {
    "session",
    "session_start",
    "phase_change",
    "iteration_start",
    "agent_prompt",
    "iteration_complete",
    "session_end",
    "budget_exceeded",
}
HUMAN_INPUT = re.compile(r"^human-input-(REJECTED-)?\d{8}-\d{6}\.md$")


def _keys(value: Any) -> set[str]:
    assert isinstance(value, dict), value
    return set(value)


def _core(events: list[dict[str, Any]]) -> list[str]:
    return [e["type"] for e in events if e["type"] in CORE_EVENTS]


def _files(loki: Path) -> set[str]:
    """The dashboard-read files, with pids and dates made generic."""
    names = set()
    for path in loki.rglob("*"):
        if path.is_file():
            name = str(path.relative_to(loki))
            name = re.sub(r"^pids/\d+\.json$", "pids/<pid>.json", name)
            name = re.sub(r"^logs/autonomy-\d{8}\.log$", "logs/autonomy-<date>.log", name)
            names.add(name)
    return names


def _outcome(loki: Path) -> str:
    found = re.search(r"^Outcome:\s*(.+)$", (loki / "COMPLETION.txt").read_text(), re.M)
    assert found is not None
    return found.group(1).strip()


def test_a_run_to_its_iteration_limit(tmp_path: Path) -> None:
    with simulation(tmp_path / "p", "--iterations", "3", "--interval", "0.3") as run:
        assert run.exit_code() == 20
        real_loki = REAL_RUNS_DIR / "max-iterations" / "loki"
        written = _files(run.loki) - {"generated-prd.md"}  # the persisted PRD (not a fixture file)
        assert written <= _files(real_loki) | {"signals"}, written - _files(real_loki)
        assert written >= {
            "autonomy-state.json",
            "dashboard-state.json",
            "COMPLETION.txt",
            "loki-run.json",
            "events.jsonl",
            "logs/agent.log",
            "logs/autonomy-<date>.log",
            "pids/<pid>.json",
            "metrics/efficiency/iteration-3.json",
            "metrics/result-cost-3.json",
            "queue/pending.json",
            "queue/in-progress.json",
            "queue/completed.json",
            "queue/failed.json",
            "queue/dead-letter.json",
            "queue/current-task.json",
            "state/orchestrator.json",
            "state/agents.json",
            "state/provider",
            "state/completion.json",
        }
        state = run.json("autonomy-state.json")
        assert _keys(state) == _keys(real("max-iterations", "autonomy-state.json"))
        assert (state["status"], state["lastExitCode"], state["iterationCount"]) == (
            "max_iterations_reached",
            20,
            3,
        )
        assert _outcome(run.loki) == "Max iterations"
        assert (
            run.json("loki-run.json")["outcome"]
            == real("max-iterations", "loki-run.json")["outcome"]
        )
        assert _keys(run.json("loki-run.json")) <= _keys(real("max-iterations", "loki-run.json"))
        for name in (
            "state/orchestrator.json",
            "metrics/efficiency/iteration-1.json",
            "metrics/result-cost-1.json",
        ):
            assert _keys(run.json(name)) == _keys(real("max-iterations", name)), name
        assert run.json("state/orchestrator.json")["currentPhase"] == "FAILED"
        # The scripted provider spends what the recorded one did.
        assert (
            run.json("metrics/efficiency/iteration-1.json")["cost_usd"]
            == real("max-iterations", "metrics/efficiency/iteration-1.json")["cost_usd"]
        )
        completed = run.json("queue/completed.json")
        recorded = real("max-iterations", "queue/completed.json")
        assert [t["id"] for t in completed] == [t["id"] for t in recorded]
        assert [_keys(t) for t in completed] == [_keys(t) for t in recorded]
        pending = run.json("queue/pending.json")
        assert [t["id"] for t in pending] == ["prd-001", "prd-002", "prd-003"]
        assert _keys(pending[0]) == _keys(real("max-iterations", "queue/pending.json")[0])
        pid_file = next((run.loki / "pids").glob("*.json"))
        assert _keys(run.json(f"pids/{pid_file.name}")) == _keys(
            real("max-iterations", "pids/20674.json")
        )
        assert _core(run.events()) == _core(real_events("max-iterations"))
        assert run.json("state/agents.json") == []
        assert not (run.loki / "loki.pid").exists()
        assert not (run.loki / "loki.pgid").exists()
        agent_log = (run.loki / "logs" / "agent.log").read_text()
        assert agent_log.count("=== Session started at ") == 3
        assert "=== RARV Phase: VERIFY, Tier: development (sonnet) ===" in agent_log
        assert "\033[0;32m[INFO]\033[0m" in run.output()


def test_a_live_run_mid_iteration(tmp_path: Path) -> None:
    with simulation(tmp_path / "p", "--interval", "2") as run:
        run.running_in(1)
        card = run.wait_for(lambda: run.json("queue/current-task.json"), "the iteration's card")
        assert _keys(card) >= _keys(real("running", "queue/current-task.json")) - {"user_story"}
        assert card["id"] == "iteration-1"
        assert (run.loki / "loki.pid").read_text().strip() == str(run.process.pid)
        assert (
            run.wait_for(lambda: run.json("dashboard-state.json"), "dashboard-state.json")[
                "iteration"
            ]
            == 0
        )  # the monitor never updates it, as on real runs
        agents = run.wait_for(lambda: run.json("state/agents.json"), "the orchestrator agent")
        assert _keys(agents[0]) == _keys(real("running", "state/agents.json")[0])


def test_the_dashboards_stop_ends_it_through_the_trap(tmp_path: Path) -> None:
    """STOP then SIGTERM to the group (what the dashboard and `loki stop` send)."""
    with simulation(tmp_path / "p", "--interval", "3") as run:
        run.running_in(1)
        (run.loki / "STOP").touch()
        run.signal(signal.SIGTERM)
        assert run.exit_code() == 0
        state = run.json("autonomy-state.json")
        recorded = real("dashboard-stop", "autonomy-state.json")
        assert (state["status"], state["lastExitCode"]) == (
            recorded["status"],
            recorded["lastExitCode"],
        )
        assert run.events()[-1]["data"] == real_events("dashboard-stop")[-1]["data"]
        for gone in ("STOP", "loki.pid", "loki.pgid", "COMPLETION.txt", "loki-run.json"):
            assert not (run.loki / gone).exists(), gone
        # The interrupted iteration never completes.
        assert "iteration_complete" not in [e["type"] for e in run.events()]


def test_a_stop_file_alone_is_taken_after_the_provider_call(tmp_path: Path) -> None:
    with simulation(tmp_path / "p", "--interval", "2") as run:
        run.running_in(1)
        (run.loki / "STOP").touch()
        assert run.exit_code() == 0
        state = run.json("autonomy-state.json")
        recorded = real("stop-file", "autonomy-state.json")
        assert (state["status"], state["lastExitCode"]) == (
            recorded["status"],
            recorded["lastExitCode"],
        )
        assert _outcome(run.loki) == "Stopped"
        assert run.json("loki-run.json")["outcome"] == real("stop-file", "loki-run.json")["outcome"]
        session_end = [e for e in run.events() if e["type"] == "session_end"][-1]
        recorded_end = [e for e in real_events("stop-file") if e["type"] == "session_end"][-1]
        assert session_end["data"]["result"] == recorded_end["data"]["result"] == 0
        assert run.json("state/orchestrator.json")["currentPhase"] == "FAILED"
        assert not (run.loki / "STOP").exists()
        # The call in progress finished; no iteration started after the STOP.
        assert [e["data"]["iteration"] for e in run.events() if e["type"] == "iteration_start"] == [
            1
        ]
        assert "deferring remaining gates" in run.output()


def test_pause_is_requested_first_then_honoured_at_a_boundary(tmp_path: Path) -> None:
    with simulation(tmp_path / "p", "--interval", "3") as run:
        run.running_in(1)
        (run.loki / "PAUSE").touch()
        # Requested, not taken: the provider call goes on.
        assert run.state()["status"] == "running"
        assert not (run.loki / "PAUSED.md").exists()
        run.wait_for(lambda: run.state().get("status") == "paused", "the pause")
        run.wait_for(lambda: (run.loki / "PAUSED.md").exists(), "PAUSED.md")
        assert (run.loki / "PAUSE").exists()  # kept until someone deletes it
        assert _outcome(run.loki) == real_outcome("paused")
        assert run.json("loki-run.json")["outcome"] == real("paused", "loki-run.json")["outcome"]
        assert run.json("state/interventions.json") == real("paused", "state/interventions.json")
        run.wait_for(lambda: run.json("dashboard-state.json")["mode"] == "paused", "mode paused")
        (run.loki / "PAUSE").unlink()
        run.wait_for(lambda: not (run.loki / "PAUSED.md").exists(), "the resume")
        run.running_in(2)


def real_outcome(scenario: str) -> str:
    return _outcome(REAL_RUNS_DIR / scenario / "loki")


def test_the_budget_guard_pauses_the_run(tmp_path: Path) -> None:
    with simulation(tmp_path / "p", "--budget", "0.05", "--interval", "0.3") as run:
        run.wait_for(lambda: run.state().get("status") == "paused", "the budget pause")
        state = run.state()
        assert (
            state["iterationCount"]
            == real("budget-paused", "autonomy-state.json")["iterationCount"]
        )
        signal_file = run.json("signals/BUDGET_EXCEEDED")
        assert _keys(signal_file) == _keys(real("budget-paused", "signals/BUDGET_EXCEEDED"))
        assert signal_file["current"] == real("budget-paused", "signals/BUDGET_EXCEEDED")["current"]
        assert _keys(run.json("metrics/budget.json")) == _keys(
            real("budget-paused", "metrics/budget.json")
        )
        assert run.json("metrics/budget.json")["exceeded"] is True
        exceeded = [e for e in run.events() if e["type"] == "budget_exceeded"]
        recorded = [e for e in real_events("budget-paused") if e["type"] == "budget_exceeded"]
        assert [e["data"] for e in exceeded] == [e["data"] for e in recorded]
        assert (run.loki / "PAUSE").exists()
        assert _outcome(run.loki) == real_outcome("budget-paused")


def test_a_failed_provider_call_is_recorded_and_the_run_goes_on(tmp_path: Path) -> None:
    args = ("--iterations", "3", "--interval", "0.3", "--fail-iteration", "2", "--base-wait", "0.2")
    with simulation(tmp_path / "p", *args) as run:
        assert run.exit_code() == 20
        failed = run.json("queue/failed.json")
        recorded = real("failed-iteration", "queue/failed.json")
        assert [t["id"] for t in failed] == [t["id"] for t in recorded] == ["iteration-2"]
        assert _keys(failed[0]) == _keys(recorded[0])
        assert failed[0]["exitCode"] == recorded[0]["exitCode"]
        assert _keys(run.json("state/LAST_ERROR.json")) == _keys(
            real("failed-iteration", "state/LAST_ERROR.json")
        )
        efficiency = run.json("metrics/efficiency/iteration-2.json")
        assert (efficiency["status"], efficiency["cost_usd"]) == ("failed", 0.0)
        assert not (run.loki / "metrics" / "result-cost-2.json").exists()
        completes = [e["data"] for e in run.events() if e["type"] == "iteration_complete"]
        recorded_completes = [
            e["data"] for e in real_events("failed-iteration") if e["type"] == "iteration_complete"
        ]
        assert completes == recorded_completes
        assert _outcome(run.loki) == "Max iterations"
        assert "Will retry in" in run.output()


@pytest.mark.parametrize("accepted", [True, False], ids=["accepted", "rejected"])
def test_human_input_is_taken_at_the_next_iteration(tmp_path: Path, accepted: bool) -> None:
    env = {"LOKI_PROMPT_INJECTION": "true"} if accepted else {}
    with simulation(tmp_path / "p", "--iterations", "2", "--interval", "1", **env) as run:
        run.running_in(1)
        (run.loki / "HUMAN_INPUT.md").write_text("Use JWT for the login\n")
        assert run.exit_code() == 20
        taken = list((run.loki / "logs").glob("human-input-*.md"))
        assert [p.name for p in taken if HUMAN_INPUT.match(p.name)] == [p.name for p in taken]
        assert len(taken) == 1
        assert ("REJECTED" not in taken[0].name) == accepted
        assert taken[0].read_text() == "Use JWT for the login\n"
        scenario = "human-input-accepted" if accepted else "human-input-rejected"
        recorded = [p.name for p in (REAL_RUNS_DIR / scenario / "loki" / "logs").glob("human-*")]
        assert ("REJECTED" in recorded[0]) == ("REJECTED" in taken[0].name)
        assert ("HUMAN_DIRECTIVE (PRIORITY): Use JWT" in run.output()) == accepted
        assert ("prompt injection is DISABLED" in run.output()) == (not accepted)


def test_a_run_without_a_prd_ignores_pause(tmp_path: Path) -> None:
    with simulation(tmp_path / "p", "--iterations", "3", "--interval", "1", prd=None) as run:
        run.running_in(1)
        (run.loki / "PAUSE").touch()
        run.wait_for(lambda: not (run.loki / "PAUSE").exists(), "PAUSE to be deleted")
        assert run.exit_code() == 20
        assert "autonomy mode is perpetual - auto-clearing" in run.output()
        assert "Execution Paused" not in run.output()
        assert not (run.loki / "PAUSED.md").exists()
        assert run.json("queue/pending.json") == real("perpetual", "queue/pending.json") == []
        starts = [e for e in run.events() if e["type"] == "iteration_start"]
        recorded = [e for e in real_events("perpetual") if e["type"] == "iteration_start"]
        assert starts[0]["data"]["prd"] == recorded[0]["data"]["prd"] == "Codebase Analysis"


def test_a_second_run_inherits_the_first_runs_files(tmp_path: Path) -> None:
    project = tmp_path / "p"
    with simulation(project, "--iterations", "3", "--interval", "0.3") as first:
        assert first.exit_code() == 20
        started = first.json("state/orchestrator.json")["startedAt"]
    with simulation(project, "--iterations", "2", "--interval", "0.3") as second:
        assert second.exit_code() == 20
        completed = [t["id"] for t in second.json("queue/completed.json")]
        recorded = [t["id"] for t in real("second-run-ended", "queue/completed.json")]
        assert completed == recorded == ["iteration-3", "iteration-1", "iteration-2"]
        efficiency = sorted(p.name for p in (second.loki / "metrics" / "efficiency").iterdir())
        assert efficiency == ["iteration-1.json", "iteration-2.json"]
        assert (second.loki / "metrics" / "result-cost-3.json").exists()  # never cleared
        assert second.json("state/orchestrator.json")["startedAt"] == started
        # The real runner did the same: run 2's orchestrator.json carries run 1's start.
        assert (
            real("second-run-ended", "state/orchestrator.json")["startedAt"]
            == real("max-iterations", "state/orchestrator.json")["startedAt"]
        )
        starts = [e for e in second.events() if e["type"] == "session"]
        assert len(starts) == 2
        assert len(second.json("queue/pending.json")) == 3  # the PRD's tasks are not added twice


def test_a_run_given_no_prd_finds_prd_md_and_pauses_but_names_no_prd(tmp_path: Path) -> None:
    """run.sh looks for PRD.md and the like when given none: it works in checkpoint mode from
    the file it found, while its records keep the empty PRD it was given."""
    project = tmp_path / "p"
    project.mkdir()
    (project / "PRD.md").write_text("# Shop\n\n## Requirements\n1. A cart\n")
    with simulation(project, "--interval", "2", prd=None) as run:
        run.running_in(1)
        assert run.state()["prdPath"] == ""
        assert [e["data"]["prd"] for e in run.events() if e["type"] == "session_start"] == [""]
        assert [t["id"] for t in run.json("queue/pending.json")] == ["prd-001"]
        (run.loki / "PAUSE").touch()
        run.wait_for(lambda: run.state().get("status") == "paused", "the pause")
