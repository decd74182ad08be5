"""What run.sh lays down before its first iteration, in its order.

The CLI's `session` start event, loki.pid, loki.pgid and pids/<pid>.json, the queue files (only
those missing or unreadable), orchestrator.json (only if missing: a second run keeps the first
run's `startedAt`), a cleared metrics/efficiency (but not result-cost-N.json), budget.json, the
PRD's `prd-NNN` tasks (added once), then `session_start` and `phase_change` BOOTSTRAP -> BUILDING.
The previous run's autonomy-state.json, COMPLETION.txt and loki-run.json stay until overwritten.
"""

from __future__ import annotations

import os
import time

from loki_dashboard.loki.liveness import process_exists
from loki_dashboard.loki.queue_lock import queue_lock
from loki_dashboard.simulator import console, records
from loki_dashboard.simulator.files import write_in_place
from loki_dashboard.simulator.state import GENERATED_PRD, RunState

QUEUES = ("pending", "in-progress", "completed", "failed", "dead-letter")
STALE_CONTROLS = ("PAUSE", "STOP", "HUMAN_INPUT.md", "PAUSE_AT_CHECKPOINT", "PAUSED.md")


def start(run: RunState, *, max_iterations: int, budget_limit: float | None) -> None:
    cli = {"source": "cli", "action": "start", "provider": "claude", "prd_path": run.named or ""}
    run.event("session", cli, cli=True)
    for folder in ("queue", "state", "logs", "signals", "pids", "metrics/efficiency"):
        (run.loki / folder).mkdir(parents=True, exist_ok=True)
    previous = run.read("loki.pid", None)
    if not (isinstance(previous, int) and process_exists(previous)):
        run.remove(*STALE_CONTROLS)  # left by a run that is gone: not meant for this one
    (run.loki / "loki.pid").write_text(f"{run.pid}\n")
    boot = int(time.time() - time.monotonic())
    (run.loki / "loki.pgid").write_text(records.pgid_line(os.getpgid(0), boot, int(time.time())))
    write_in_place(run.loki / "pids" / f"{run.pid}.json", records.pid_record(run.pid, os.getppid()))
    run.remove("state/LAST_ERROR.json")
    for name in QUEUES:
        if not isinstance(run.read(f"queue/{name}.json", None), list | dict):
            write_in_place(run.loki / "queue" / f"{name}.json", [])
    if not run.has("state/orchestrator.json"):
        orchestrator = records.orchestrator("BOOTSTRAP", records.stamp())
        write_in_place(run.loki / "state" / "orchestrator.json", orchestrator)
    for stale in (run.loki / "metrics" / "efficiency").glob("iteration-*.json"):
        stale.unlink()
    if budget_limit is not None:
        budget = {
            "limit": budget_limit,
            "budget_limit": budget_limit,
            "budget_used": 0,
            "created_at": records.stamp(),
        }
        write_in_place(run.loki / "metrics" / "budget.json", budget)
    (run.loki / "state" / "provider").write_text("claude\n")
    console.say("INFO", "Provider: Claude Code (claude)")
    console.say("INFO", f"PRD: {run.spec or 'Codebase Analysis Mode'}")
    console.say("INFO", f"Max iterations: {max_iterations}")
    console.say("INFO", "Autonomy mode: perpetual")
    if budget_limit is None:
        console.say("INFO", "Budget guard: no cap set (no automatic spend stop).")
    else:
        console.say(
            "INFO",
            f"Budget guard: hard cap ${budget_limit} (run pauses via .loki/PAUSE "
            "at the cap; warning at 80%).",
        )
    if run.prd is not None:
        _take_prd(run, run.prd)
    run.event(
        "session_start",
        {
            "provider": "claude",
            "prd": run.named or "",
            "parallel": False,
            "complexity": "standard",
            "pid": run.pid,
        },
    )
    run.event("phase_change", {"from": "BOOTSTRAP", "to": "BUILDING", "iteration": 0})
    run.phase("BUILDING")


def _take_prd(run: RunState, prd: str) -> None:
    """Persist the PRD (a later run without one reuses it) and queue its requirements."""
    text = (run.project / prd).read_text(errors="replace")
    if prd != GENERATED_PRD:
        (run.project / GENERATED_PRD).write_text(text)
    console.say(
        "INFO",
        "Auto-derived completion promise: All PRD requirements implemented and tests passing",
    )
    console.say(
        "INFO", "Switched autonomy mode: perpetual -> checkpoint (PRD-driven work is finite)"
    )
    console.say("STEP", "Parsing PRD into structured tasks...")
    headings = [line[2:].strip() for line in text.splitlines() if line.startswith("# ")]
    tasks = records.prd_tasks(text, headings[0] if headings else prd)
    with queue_lock(run.loki / "queue"):
        document = run.read("queue/pending.json", [])
        items = run.items("pending")
        known = {item.get("id") for item in items if isinstance(item, dict)}
        new = [task for task in tasks if task["id"] not in known]
        if new:
            items = [*items, *new]
            value = {**document, "tasks": items} if isinstance(document, dict) else items
            write_in_place(run.loki / "queue" / "pending.json", value)
    console.plain(f"Extracted {len(new)} tasks from PRD ({len(tasks)} features found)")
    console.say("INFO", "PRD task parsing complete")
