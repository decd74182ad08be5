"""One iteration, recorded as run.sh records it.

`iteration_start`, an `iteration-N` card (titled after the first pending task, which stays
pending) in queue/in-progress.json and current-task.json, status `running`, the provider call,
status `exited`, the `agent`/`agent_prompt`/`iteration_complete` events, the efficiency file, the
card moved to completed.json (failed.json on a failed call), then the quality gates, which stop
early when PAUSE or STOP appears. A failed call leaves state/LAST_ERROR.json and a backoff wait.
"""

from __future__ import annotations

import time

from loki_dashboard.simulator import console, records
from loki_dashboard.simulator.files import write_in_place, write_renamed
from loki_dashboard.simulator.provider import ScriptedProvider
from loki_dashboard.simulator.state import RunState

GATES = (
    ("static_analysis", "pass"),
    ("security_scan", "pass"),
    ("test_suite", "pass"),
    ("code_review", "pass"),
    ("doc_coverage", "fail"),
)


def iterate(run: RunState, provider: ScriptedProvider, seconds: float, *, fail: bool) -> bool:
    """Run the next iteration; False when its provider call failed."""
    run.iteration += 1
    console.header(f"Attempt {run.retry + 1} of {records.MAX_RETRIES}")
    spec = run.spec or "Codebase Analysis"
    run.event("iteration_start", {"iteration": run.iteration, "provider": "claude", "prd": spec})
    card = records.iteration_card(run.iteration, run.first_pending(), run.spec)
    write_in_place(run.loki / "queue" / "in-progress.json", [*run.items("in-progress"), card])
    write_renamed(run.loki / "queue" / "current-task.json", card)
    run.save_state("running", 0)
    console.say("INFO", f"Prompt: <loki_system> Loki Mode with PRD at {spec} ... </loki_system>")
    if run.directive:
        console.plain(
            f"HUMAN_DIRECTIVE (PRIORITY): {run.directive} Execute this directive "
            "BEFORE continuing normal tasks."
        )
        run.directive = None
    call = provider.call(run.iteration, seconds, fail=fail)
    ok = call.exit_code == 0
    run.save_state("exited", call.exit_code)
    took = round(call.duration_ms / 1000)
    run.event(
        "stage_complete",
        {
            "stage": "agent",
            "status": "pass" if ok else "fail",
            "duration_s": took,
            "iteration": run.iteration,
        },
    )
    run.event("agent_prompt", {"bytes": 9800, "iteration": run.iteration, "duration_s": took})
    run.event(
        "iteration_complete",
        {
            "iteration": run.iteration,
            "status": "completed" if ok else "failed",
            "exitCode": call.exit_code,
            "provider": "claude",
        },
    )
    efficiency = records.efficiency(run.iteration, call.duration_ms, ok, call.tokens)
    write_renamed(
        run.loki / "metrics" / "efficiency" / f"iteration-{run.iteration}.json", efficiency
    )
    _file_card(run, call.exit_code, call.duration_ms)
    quality_gates(run, seconds / 5)
    if not ok:
        brief = (
            f"Iteration {run.iteration} failed with exit code {call.exit_code} "
            "(cause not classified)."
        )
        write_in_place(
            run.loki / "state" / "LAST_ERROR.json",
            {
                "iteration": run.iteration,
                "error_class": "unknown",
                "brief": brief,
                "timestamp": records.stamp(),
            },
        )
    return ok


def _file_card(run: RunState, exit_code: int, duration_ms: int) -> None:
    """Upsert the iteration's record into completed.json or failed.json, off in-progress.

    Like run.sh, it lifts `logs` and `startedAt` from the in-progress card, which is gone when
    the provider's TodoWrite items replaced it."""
    card_id = f"iteration-{run.iteration}"
    mine = [t for t in run.items("in-progress") if isinstance(t, dict) and t.get("id") == card_id]
    entry = records.iteration_entry(mine[0] if mine else {}, run.iteration, exit_code, duration_ms)
    target, other = ("completed", "failed") if exit_code == 0 else ("failed", "completed")
    for name, keep in ((target, True), (other, False), ("in-progress", False)):
        items = [t for t in run.items(name) if not (isinstance(t, dict) and t.get("id") == card_id)]
        write_in_place(
            run.loki / "queue" / f"{name}.json", [*items, entry][-50:] if keep else items
        )
    write_renamed(run.loki / "queue" / "current-task.json", {})


def quality_gates(run: RunState, seconds: float) -> None:
    console.say("STEP", "Post-iteration: running quality gates...")
    for stage, status in GATES:
        if run.has("PAUSE") or run.has("STOP"):
            console.say(
                "WARN",
                "Pause/stop signal detected between quality gates - deferring remaining gates",
            )
            return
        console.say("INFO", f"Quality gate: {stage.replace('_', ' ')}...")
        time.sleep(seconds / len(GATES))
        run.event(
            "stage_complete",
            {"stage": stage, "status": status, "duration_s": 0, "iteration": run.iteration},
        )
    console.say("INFO", "Quality gates complete.")


def back_off(run: RunState, seconds: float) -> None:
    """Wait before retrying after a failed call (doubling per retry); STOP or PAUSE cut it short."""
    wait = seconds * 2**run.retry
    console.say("WARN", f"Will retry in {round(wait)}s...")
    console.say("INFO", "Press Ctrl+C to cancel")
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if run.has("STOP") or run.has("PAUSE"):
            console.say(
                "WARN", "Stop/pause signal detected during wait - returning to control loop"
            )
            break
        time.sleep(min(0.1, max(deadline - time.monotonic(), 0)))
    run.retry += 1
