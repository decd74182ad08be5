"""run.sh's background status monitor, for the simulated run.

Every ~2-4 s it overwrites state/agents.json with `[]` (real runs flip it between `[]` and the
stream parser's agents) and rewrites dashboard-state.json, whose `iteration` stays 0 (the monitor
is forked before the loop and never sees the count) and whose `mode` only mirrors whether a PAUSE
or STOP file exists.
"""

from __future__ import annotations

import random
import threading
from typing import Any

from loki_dashboard.simulator import records
from loki_dashboard.simulator.files import write_in_place, write_renamed
from loki_dashboard.simulator.state import RunState


def status_monitor(run: RunState, done: threading.Event) -> None:
    rng = random.Random(run.pid)
    while True:
        write_in_place(run.loki / "state" / "agents.json", [])
        write_renamed(run.loki / "dashboard-state.json", dashboard_state(run))
        if done.wait(2.0 + 2.0 * rng.random()):
            return


def dashboard_state(run: RunState) -> dict[str, Any]:
    orchestrator = run.read("state/orchestrator.json", {})
    orchestrator = orchestrator if isinstance(orchestrator, dict) else {}
    mode = "paused" if run.has("PAUSE") else "stopped" if run.has("STOP") else "autonomous"
    return {
        "timestamp": records.stamp(),
        "version": records.RUNNER_VERSION,
        "project": {"name": run.project.name, "path": str(run.project)},
        "mode": mode,
        "provider": records.PROVIDER,
        "phase": orchestrator.get("currentPhase", "BOOTSTRAP"),
        "complexity": "standard",
        "iteration": 0,
        "startedAt": orchestrator.get("startedAt"),
        "rarv": {"currentStep": 0, "stages": ["reason", "act", "reflect", "verify"]},
        "tasks": {
            "pending": run.items("pending"),
            "inProgress": run.items("in-progress"),
            "review": [],
            "completed": run.items("completed"),
            "failed": run.items("failed"),
        },
        "agents": [],
        "metrics": {"tasksCompleted": 0, "tasksFailed": 0},
        "budget": run.read("metrics/budget.json", None),
    }
