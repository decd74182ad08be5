"""The control files, taken where run.sh takes them: at the top of its loop, never mid-call.

Order and effects follow run.sh's check_human_intervention: PAUSE (pause a PRD run until it is
deleted; delete and ignore it in perpetual mode unless the budget guard wrote it), then
PAUSE_AT_CHECKPOINT (a SIGTERM's deferred pause), then HUMAN_INPUT.md (taken only with
LOKI_PROMPT_INJECTION=true, else set aside as REJECTED), then STOP. The budget guard comes right
after, and writes its own PAUSE.
"""

from __future__ import annotations

import json
import os
import time
from datetime import datetime

from loki_dashboard.simulator import console, records
from loki_dashboard.simulator.files import write_in_place
from loki_dashboard.simulator.state import RunState

CONTINUE, STOP = "continue", "stop"
MAX_HUMAN_INPUT = 1024 * 1024


def check(run: RunState, *, prompt_injection: bool) -> str | None:
    """CONTINUE: back to the top of the loop; STOP: end the run; None: go on."""
    if run.has("PAUSE"):
        budget = run.has("signals/BUDGET_EXCEEDED")
        if run.perpetual and not budget:
            console.say(
                "WARN", "PAUSE file detected but autonomy mode is perpetual - auto-clearing"
            )
            run.remove("PAUSE", "PAUSED.md")
            return None
        console.say(
            "WARN",
            "Budget limit reached - execution paused"
            if budget
            else "PAUSE file detected - pausing execution",
        )
        return pause(run)
    if run.has("PAUSE_AT_CHECKPOINT"):
        run.remove("PAUSE_AT_CHECKPOINT")
        if not run.perpetual:
            console.say("WARN", "Checkpoint pause requested - pausing now")
            (run.loki / "PAUSE").touch()
            return pause(run)
    take_human_input(run, prompt_injection=prompt_injection)
    if run.has("STOP"):
        console.say("WARN", "STOP file detected - stopping execution")
        run.remove("STOP")
        run.summary("stopped")
        return STOP
    return None


def pause(run: RunState) -> str:
    """Block until PAUSE is deleted (CONTINUE) or STOP appears (STOP)."""
    run.summary("intervention")
    previous = run.read("state/interventions.json", {})
    count = previous.get("count", 0) if isinstance(previous, dict) else 0
    write_in_place(
        run.loki / "state" / "interventions.json",
        {"count": int(count) + 1, "basis": "blocking pauses that waited on a human"},
    )
    run.save_state("paused", 0)
    console.header("Execution Paused")
    console.say("INFO", "To resume: Remove .loki/PAUSE or press Enter")
    console.say("INFO", "To stop completely: touch .loki/STOP")
    (run.loki / "PAUSED.md").write_text(records.paused_note())
    while run.has("PAUSE"):
        if run.has("STOP"):
            run.remove("STOP", "PAUSED.md", "PAUSE")
            run.summary("stopped")
            return STOP
        time.sleep(0.1)
    run.remove("PAUSED.md")
    console.say("INFO", "Resuming execution...")
    return CONTINUE


def take_human_input(run: RunState, *, prompt_injection: bool) -> None:
    """Move HUMAN_INPUT.md to logs/human-input[-REJECTED]-<local time>.md (a symlink is deleted)."""
    source = run.loki / "HUMAN_INPUT.md"
    if source.is_symlink():
        console.say("WARN", "HUMAN_INPUT.md is a symlink - rejected for security")
        source.unlink()
        return
    if not source.is_file():
        return
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")  # local time, as `date` gives it
    logs = run.loki / "logs"
    if not prompt_injection:
        console.say("WARN", "HUMAN_INPUT.md detected but prompt injection is DISABLED")
        console.say(
            "WARN", "To enable, set LOKI_PROMPT_INJECTION=true (only in trusted environments)"
        )
        os.replace(source, logs / f"human-input-REJECTED-{stamp}.md")
    elif source.stat().st_size > MAX_HUMAN_INPUT:
        console.say("WARN", "HUMAN_INPUT.md exceeds 1MB size limit, rejecting")
        os.replace(source, logs / f"human-input-REJECTED-TOOLARGE-{stamp}.md")
    else:
        text = source.read_text(errors="replace")
        if text.strip():
            console.say("INFO", "Human input detected:")
            console.plain(text)
            run.directive = text.strip()
            os.replace(source, logs / f"human-input-{stamp}.md")


def over_budget(run: RunState, limit: float | None) -> bool:
    """The spend of this run's iterations against LOKI_BUDGET_LIMIT; past it, PAUSE and say why."""
    if limit is None:
        return False
    spent = 0.0
    for path in (run.loki / "metrics" / "efficiency").glob("iteration-*.json"):
        record = run.read(f"metrics/efficiency/{path.name}", {})
        spent += float(record.get("cost_usd") or 0) if isinstance(record, dict) else 0.0
    spent = round(spent, 4)
    budget = run.loki / "metrics" / "budget.json"
    base = {"limit": limit, "budget_limit": limit, "budget_used": spent}
    if spent < limit:
        if spent:
            write_in_place(budget, {**base, "exceeded": False})
        return False
    console.say("WARN", f"BUDGET LIMIT REACHED: ${spent} >= ${limit}")
    (run.loki / "PAUSE").touch()
    notice = {
        "type": "BUDGET_EXCEEDED",
        "limit": limit,
        "current": spent,
        "timestamp": records.stamp(),
    }
    (run.loki / "signals" / "BUDGET_EXCEEDED").write_text(
        json.dumps(notice, separators=(",", ":")) + "\n"
    )
    write_in_place(budget, {**base, "exceeded": True, "exceeded_at": records.stamp()})
    run.event("budget_exceeded", {"limit": limit, "current": spent, "iteration": run.iteration})
    return True
