"""A run's facts derived from folders the real runner wrote (tests/fixtures/real_runs).

Each scenario's manifest holds the facts read from its files and the runner's source by hand;
the derivation must agree with every one of them: status and outcome in words, times, cost,
pause state and phase.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from loki_dashboard.loki.events_log import parse_event_lines
from loki_dashboard.loki.run_events import RunEvents, fold_all, from_json, to_json
from loki_dashboard.loki.run_facts import Liveness, RunFacts, derive
from loki_dashboard.loki.run_files import read_run_files
from loki_dashboard.loki.timestamps import parse_time
from tests.fixtures.real_runs import REAL_RUNS, RealRun, load_real_run


@dataclass(frozen=True)
class Expected:
    status: str
    outcome: str | None
    summary: str  # a part of the one sentence shown
    pause: str | None = None
    needs_person: bool = False


EXPECTED = {
    "max-iterations": Expected(
        "stopped",
        "max_iterations",
        "Stopped at its iteration limit after 3 iterations; 3 tasks still pending",
        needs_person=True,
    ),
    "failed-iteration": Expected(
        "stopped", "max_iterations", "3 tasks still pending; 1 iteration failed", needs_person=True
    ),
    "stopped": Expected("stopped", "stopped", "Stopped on request after 2 iterations;"),
    "dashboard-stop": Expected("stopped", "stopped", "Stopped on request after 2 iterations"),
    "stop-file": Expected("stopped", "stopped", "Stopped on request after 2 iterations"),
    "killed": Expected(
        "stopped", "died", "Its process ended without recording why", needs_person=True
    ),
    "running": Expected("running", None, "Running, iteration 2."),
    "pause-requested": Expected(
        "running", None, "Pause requested; the run pauses at its next boundary", pause="requested"
    ),
    "paused": Expected("paused", None, "Paused after iteration 2", pause="paused"),
    "budget-paused": Expected(
        "paused",
        None,
        "Paused by its budget guard after iteration 1: $0.0843 spent of a $0.05 limit",
        pause="paused",
        needs_person=True,
    ),
    "perpetual": Expected("running", None, "Running in perpetual mode (no PRD: it ignores pauses)"),
    "human-input-accepted": Expected(
        "stopped", "max_iterations", "after 2 iterations", needs_person=True
    ),
    "human-input-rejected": Expected(
        "stopped", "max_iterations", "after 2 iterations", needs_person=True
    ),
    "second-run-live": Expected("running", None, "Running, starting up."),
    "second-run-ended": Expected(
        "stopped", "max_iterations", "limit after 2 iterations", needs_person=True
    ),
}


def _derive(run: RealRun) -> RunFacts:
    return derive(read_run_files(run.loki_dir), Liveness(run.alive, run.pid if run.alive else None))


def _time(value: object) -> datetime:
    parsed = parse_time(value)
    assert parsed is not None, value
    return parsed


def test_every_recorded_run_has_its_expectations() -> None:
    assert set(EXPECTED) == set(REAL_RUNS)


@pytest.mark.parametrize("name", REAL_RUNS)
class TestRecordedRuns:
    def test_status_outcome_and_words(self, name: str, tmp_path: Path) -> None:
        facts = _derive(load_real_run(name, tmp_path / "project"))
        expected = EXPECTED[name]
        assert (facts.status, facts.outcome, facts.pause) == (
            expected.status,
            expected.outcome,
            expected.pause,
        )
        assert expected.summary in facts.summary
        assert facts.needs_person is expected.needs_person

    def test_times_come_from_the_run(self, name: str, tmp_path: Path) -> None:
        run = load_real_run(name, tmp_path / "project")
        facts = _derive(run)
        assert facts.started_at == _time(run.facts["started_at"])
        want_end = run.facts.get("ended_at")
        if run.alive:
            assert facts.ended_at is None
        elif want_end is not None:
            # `loki stop` kills the runner before any end record: it ended by its last write,
            # a moment after the stop was asked for.
            slack = timedelta(seconds=2) if name == "stopped" else timedelta(0)
            assert abs(facts.ended_at - _time(want_end)) <= slack if facts.ended_at else False
        else:  # killed outright: nothing records an end but the files' last writes
            assert facts.ended_at is not None
            assert facts.ended_at == facts.last_activity_at
            assert facts.ended_at > facts.started_at if facts.started_at else False
        if facts.last_activity_at is not None and facts.ended_at is not None:
            assert facts.last_activity_at <= facts.ended_at

    def test_cost_and_iterations_are_this_runs_own(self, name: str, tmp_path: Path) -> None:
        run = load_real_run(name, tmp_path / "project")
        facts = _derive(run)
        want = run.facts.get("cost_usd") or 0
        got = facts.tokens["cost_usd"] if facts.tokens else 0
        assert got == pytest.approx(want, abs=1e-6)
        assert facts.iteration == run.facts["iterations"]["count"]

    def test_the_phase_is_never_the_teardowns_failed(self, name: str, tmp_path: Path) -> None:
        facts = _derive(load_real_run(name, tmp_path / "project"))
        # The runner writes FAILED after every end (max iterations and stop included), and a new
        # run finds the old run's FAILED in orchestrator.json until it writes its own.
        assert facts.phase != "FAILED"
        if name == "second-run-live":
            assert facts.phase is None
        else:
            assert facts.phase == "BUILDING"

    def test_exit_code_is_the_runs_not_its_last_provider_calls(
        self, name: str, tmp_path: Path
    ) -> None:
        run = load_real_run(name, tmp_path / "project")
        facts = _derive(run)
        if run.alive or name in ("killed", "stopped"):
            assert facts.exit_code is None  # no end recorded: the last call's code is not it
        elif facts.outcome == "max_iterations":
            assert facts.exit_code == 20
        else:
            assert facts.exit_code == 0


def test_a_second_run_counts_nothing_of_the_first(tmp_path: Path) -> None:
    """Run 2 writes its own iteration-1/-2 files; run 1's are gone, its end records stay on
    disk until run 2 writes its own, and none of them is run 2's."""
    live = _derive(load_real_run("second-run-live", tmp_path / "live"))
    assert (live.status, live.outcome, live.iteration, live.tokens) == ("running", None, 0, None)
    ended = _derive(load_real_run("second-run-ended", tmp_path / "ended"))
    first = _derive(load_real_run("max-iterations", tmp_path / "first"))
    assert ended.started_at is not None
    assert first.ended_at is not None
    assert ended.started_at > first.ended_at
    assert ended.tokens is not None
    assert ended.tokens["iterations"] == 2


def test_a_dead_run_that_last_said_it_waits_for_a_person_ended_while_paused(
    tmp_path: Path,
) -> None:
    """COMPLETION.txt says "Needs input" while a pause waits; if the process is then gone, the
    run ended while paused (it did not complete, and nothing else says how it ended)."""
    run = load_real_run("paused", tmp_path / "project")
    facts = derive(read_run_files(run.loki_dir), Liveness(False))
    assert (facts.status, facts.outcome) == ("stopped", "ended_while_paused")
    assert facts.needs_person


def test_the_events_fold_survives_a_restart(tmp_path: Path) -> None:
    run = load_real_run("failed-iteration", tmp_path / "project")
    lines = (run.loki_dir / "events.jsonl").read_bytes().splitlines()
    folded = fold_all(RunEvents(), parse_event_lines(lines))
    assert from_json(to_json(folded)) == folded
    half = len(lines) // 2
    resumed = fold_all(
        from_json(to_json(fold_all(RunEvents(), parse_event_lines(lines[:half])))),
        parse_event_lines(lines[half:]),
    )
    assert resumed == folded
    assert (folded.failed_iterations, folded.iteration) == (1, 3)


def test_a_run_that_names_no_process_yet_is_starting_then_dead(tmp_path: Path) -> None:
    """`loki start` writes its start event seconds before the runner writes loki.pid: such a
    run is starting, until so long has passed that it must have died during its start."""
    run = load_real_run("running", tmp_path / "project")
    first = (run.loki_dir / "events.jsonl").read_text().splitlines()[0]
    (run.loki_dir / "events.jsonl").write_text(first + "\n")
    for rel in ("loki.pid", "autonomy-state.json"):
        (run.loki_dir / rel).unlink()
    files = read_run_files(run.loki_dir)
    started = _time(run.facts["started_at"])
    soon = derive(files, Liveness(False, now=started + timedelta(seconds=20)))
    assert (soon.status, soon.outcome, soon.ended_at) == ("starting", None, None)
    late = derive(files, Liveness(False, now=started + timedelta(minutes=10)))
    assert (late.status, late.outcome) == ("stopped", "died")
    assert late.run_key == soon.run_key  # the same run throughout, known by its start
