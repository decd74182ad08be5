"""SIGTERM without STOP is not a stop, as in run.sh's trap: a PRD run pauses at its next
checkpoint, a perpetual run carries on, and a second signal within 2 s ends either."""

from __future__ import annotations

import signal
from pathlib import Path

from tests.simulator.simulation import simulation


def test_a_bare_sigterm_pauses_a_prd_run_at_its_next_checkpoint(tmp_path: Path) -> None:
    with simulation(tmp_path / "p", "--interval", "2") as run:
        run.running_in(1)
        run.signal(signal.SIGTERM)
        run.wait_for(lambda: "will pause at next checkpoint" in run.output(), "the trap's note")
        assert run.process.poll() is None
        run.wait_for(lambda: run.state().get("status") == "paused", "the checkpoint pause")
        assert (run.loki / "PAUSE").exists()
        assert not (run.loki / "PAUSE_AT_CHECKPOINT").exists()
        assert [e["type"] for e in run.events()].count("iteration_complete") == 1


def test_a_bare_sigterm_does_not_stop_a_perpetual_run(tmp_path: Path) -> None:
    with simulation(tmp_path / "p", "--interval", "1", prd=None) as run:
        run.running_in(1)
        run.signal(signal.SIGTERM)
        run.wait_for(lambda: "iteration will continue" in run.output(), "the trap's note")
        run.running_in(2)
        assert not (run.loki / "PAUSE").exists()


def test_a_second_signal_within_two_seconds_interrupts_the_run(tmp_path: Path) -> None:
    with simulation(tmp_path / "p", "--interval", "3") as run:
        run.running_in(1)
        run.signal(signal.SIGTERM)
        run.signal(signal.SIGINT)
        assert run.exit_code() == 130
        state = run.json("autonomy-state.json")
        assert (state["status"], state["lastExitCode"]) == ("interrupted", 130)
        assert run.events()[-1]["data"] == {"result": 130, "reason": "interrupted"}
        assert (run.loki / "STOP").exists()
        assert not (run.loki / "loki.pid").exists()
