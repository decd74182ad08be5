"""The simulated run: run.sh's loop with a scripted provider, for tests and the demo.

It writes what the real runner (v9.22.12) writes, in the same order and shapes, as recorded in
backend/tests/fixtures/real_runs/ (see README.md there). The parts: `startup` (what is laid down
before iteration 1), `iteration` (one iteration and its gates), `controls` (PAUSE,
HUMAN_INPUT.md, STOP and the budget guard, checked at the top of the loop), `trap` (SIGTERM and
SIGINT), `monitor` (dashboard-state.json) and `provider` (the call itself).

The loop ends at LOKI_MAX_ITERATIONS (status `max_iterations_reached`, exit 20, COMPLETION.txt
"Max iterations", phase FAILED) or on STOP (COMPLETION.txt "Stopped", exit 0). It never claims
completion, like the scripted provider of the recordings.
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from loki_dashboard.simulator import console, controls, startup
from loki_dashboard.simulator.files import write_in_place
from loki_dashboard.simulator.iteration import back_off, iterate
from loki_dashboard.simulator.monitor import status_monitor
from loki_dashboard.simulator.provider import ScriptedProvider
from loki_dashboard.simulator.state import RunState, find_prd
from loki_dashboard.simulator.trap import Shutdown, SignalTrap


@dataclass
class SimulatedRun:
    project: Path
    prd: str | None = None  # None: a usual PRD name in the project, else perpetual mode
    max_iterations: int = 1000
    interval: float = 2.0  # seconds per provider call; the gates add a fifth of it
    budget_limit: float | None = None
    fail_iteration: int | None = None
    prompt_injection: bool = False
    base_wait: float | None = None  # the backoff after a failed call (default: `interval`)

    def run(self) -> int:
        """Run to the end; returns the exit code run.sh would."""
        prd = self.prd if self.prd is not None else find_prd(self.project)
        if prd is not None and not (self.project / prd).is_file():
            sys.stderr.write(f"Error: PRD file not found: {prd}\n")
            return 1
        state = RunState(self.project, prd, named=self.prd)
        done = threading.Event()
        SignalTrap(state, done).install()
        try:
            startup.start(state, max_iterations=self.max_iterations, budget_limit=self.budget_limit)
            threading.Thread(target=status_monitor, args=(state, done), daemon=True).start()
            result = self._loop(state)
            self._finish(state, result, done)
            return result
        except Shutdown as shutdown:
            return shutdown.code
        finally:
            done.set()

    def _loop(self, state: RunState) -> int:
        provider = ScriptedProvider(state.loki, state.project, state.spec)
        while True:
            action = controls.check(state, prompt_injection=self.prompt_injection)
            if action == controls.CONTINUE:
                continue
            if action == controls.STOP:
                return 0
            if controls.over_budget(state, self.budget_limit):
                console.say(
                    "WARN", "Session paused due to budget limit. Remove .loki/PAUSE to resume."
                )
                state.save_state("budget_exceeded", 0)
                continue
            if state.iteration >= self.max_iterations:
                state.save_state("max_iterations_reached", 20)
                console.say("WARN", f"Max iterations ({self.max_iterations}) reached. Stopping.")
                state.summary("max_iterations")
                return 20
            fail = state.iteration + 1 == self.fail_iteration
            if iterate(state, provider, self.interval, fail=fail):
                state.retry = 0
                console.say("STEP", "Starting next iteration...")
            else:
                back_off(state, self.interval if self.base_wait is None else self.base_wait)

    @staticmethod
    def _finish(state: RunState, result: int, done: threading.Event) -> None:
        """run.sh's teardown after its loop returns."""
        state.event(
            "session_end", {"result": result, "provider": "claude", "iterations": state.iteration}
        )
        state.event("phase_change", {"from": "BUILDING", "to": "FAILED", "iteration": 0})
        state.phase("FAILED")
        done.set()
        write_in_place(state.loki / "state" / "agents.json", [])
        state.remove("loki.pid", "loki.pgid")
