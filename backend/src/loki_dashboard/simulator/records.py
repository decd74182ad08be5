"""What the real runner writes, as plain values: the shapes of its files and events.

Every shape here was read off `.loki/` folders written by the real Loki Mode runner (v9.22.12,
recorded under backend/tests/fixtures/real_runs/): same field names, same order, same
timestamp formats (seconds for run.sh, milliseconds for the `loki` CLI's own events).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

RUNNER_VERSION = "9.22.12"
PROVIDER = "claude"
MODEL = "sonnet"
MAX_RETRIES = 50
RARV_PHASES = ("REASON", "ACT", "REFLECT", "VERIFY")
# Sonnet's prices per million tokens; cache reads cost 0.1x input, cache writes 1.25x.
PRICE_INPUT, PRICE_OUTPUT = 3.0, 15.0

TASK_COUNTS = ("pending", "in_progress", "completed", "failed")
# COMPLETION.txt's Outcome line for each outcome the runner records.
OUTCOME_LABELS = {
    "complete": "Completed",
    "max_iterations": "Max iterations",
    "stopped": "Stopped",
    "failed": "Failed",
    "intervention": "Needs input",
}


def stamp(moment: datetime | None = None) -> str:
    """run.sh's `date -u +%Y-%m-%dT%H:%M:%SZ`."""
    return (moment or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")


def stamp_ms(moment: datetime | None = None) -> str:
    """The `loki` CLI's millisecond timestamps (its `session` events)."""
    value = moment or datetime.now(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def event_line(kind: str, data: dict[str, Any], *, cli: bool = False) -> str:
    """One events.jsonl line, compact as emit_event_json writes it."""
    when = stamp_ms() if cli else stamp()
    return json.dumps({"timestamp": when, "type": kind, "data": data}, separators=(",", ":"))


def autonomy_state(
    *, iteration: int, status: str, exit_code: int, prd: str | None, pid: int, retry: int = 0
) -> dict[str, Any]:
    return {
        "retryCount": retry,
        "iterationCount": iteration,
        "status": status,
        "lastExitCode": exit_code,
        "lastRun": stamp(),
        "prdPath": prd or "",
        "pid": pid,
        "maxRetries": MAX_RETRIES,
        "baseWait": 5,
    }


def orchestrator(phase: str, started_at: str) -> dict[str, Any]:
    return {
        "version": RUNNER_VERSION,
        "currentPhase": phase,
        "startedAt": started_at,
        "agents": {},
        "metrics": {"tasksCompleted": 0, "tasksFailed": 0, "retries": 0},
    }


def pid_record(pid: int, ppid: int) -> dict[str, Any]:
    """pids/<pid>.json for the runner itself."""
    return {
        "pid": pid,
        "label": "loki-wrapper",
        "started": stamp(),
        "ppid": ppid,
        "kind": "wrapper",
        "extra": "",
    }


def pgid_line(pgid: int, boot: int, started: int) -> str:
    """loki.pgid: not a bare number."""
    return f"pgid={pgid} boot={boot} started={started}\n"


def prd_tasks(text: str, title: str) -> list[dict[str, Any]]:
    """queue/pending.json items from a PRD's list items (the runner's `prd-NNN` tasks)."""
    features: list[str] = []
    section = ""
    for line in text.splitlines():
        heading = re.match(r"^#{1,3}\s+(.+)", line)
        if heading:
            section = heading.group(1).strip().lower()
            continue
        item = re.match(r"^\s*(?:\d+[.)]\s*|-\s+|\*\s+)(.+)", line)
        if item and "acceptance" not in section and item.group(1).strip() not in features:
            features.append(item.group(1).strip())
    return [
        {
            "id": f"prd-{number:03d}",
            "title": feature,
            "description": feature,
            "priority": "high",
            "status": "pending",
            "source": "prd",
            "project": title,
            "user_story": f"As a user, I want {feature[:1].lower() + feature[1:]}",
        }
        for number, feature in enumerate(features, 1)
    ]


def iteration_card(
    iteration: int, first_pending: dict[str, Any] | None, spec: str | None
) -> dict[str, Any]:
    """The runner's in-progress item for an iteration: titled after the first pending task."""
    if first_pending is not None:
        title = str(first_pending.get("title") or "")
        description = str(first_pending.get("description") or title)
    elif spec is None:
        title = "Analyzing the codebase and generating a spec"
        description = (
            "Reading the existing code to reverse-engineer a spec, then building against it."
        )
    else:
        title = f"Building from {spec}"
        description = f"Implementing the spec in {spec} and verifying it."
    now = stamp()
    return {
        "id": f"iteration-{iteration}",
        "type": "iteration",
        "title": title,
        "description": description,
        "status": "in_progress",
        "priority": "medium",
        "startedAt": now,
        "provider": PROVIDER,
        "acceptance_criteria": [],
        "notes": [],
        "logs": [
            {
                "timestamp": now,
                "iteration": iteration,
                "level": "info",
                "phase": "BOOTSTRAP",
                "message": f"Iteration {iteration} started",
            }
        ],
    }


def iteration_entry(
    card: dict[str, Any], iteration: int, exit_code: int, duration_ms: int
) -> dict[str, Any]:
    """The completed.json / failed.json item that replaces an iteration's card."""
    took = f"{duration_ms}ms" if duration_ms < 1000 else f"{round(duration_ms / 1000)}s"
    ok = exit_code == 0
    entry = {
        "id": f"iteration-{iteration}",
        "type": "iteration",
        "title": f"Iteration {iteration} complete - BOOTSTRAP"
        if ok
        else f"Iteration {iteration} failed (exit {exit_code})",
        "description": f"Iteration {iteration} finished cleanly in the BOOTSTRAP phase "
        f"(exit 0, {took})."
        if ok
        else f"Iteration {iteration} ended in the BOOTSTRAP phase with exit code {exit_code}, "
        f"{took}.",
        "status": "completed" if ok else "failed",
        "phase": "BOOTSTRAP",
        "completedAt": stamp(),
        "exitCode": exit_code,
        "provider": PROVIDER,
        "logs": card.get("logs", []),
    }
    if card.get("startedAt"):
        entry["startedAt"] = card["startedAt"]
    return entry


def usage(iteration: int) -> dict[str, int]:
    """Token usage of one scripted iteration: the cache grows as the conversation does."""
    return {
        "input_tokens": 76,
        "output_tokens": 1150,
        "cache_read_tokens": 121_500 + 13_500 * (iteration - 1),
        "cache_creation_tokens": 8100,
    }


def cost(tokens: dict[str, int]) -> float:
    per = 1_000_000
    return round(
        tokens["input_tokens"] / per * PRICE_INPUT
        + tokens["output_tokens"] / per * PRICE_OUTPUT
        + tokens["cache_read_tokens"] / per * PRICE_INPUT * 0.1
        + tokens["cache_creation_tokens"] / per * PRICE_INPUT * 1.25,
        6,
    )


def efficiency(
    iteration: int, duration_ms: int, ok: bool, tokens: dict[str, int] | None
) -> dict[str, Any]:
    """metrics/efficiency/iteration-N.json (a failed call costs nothing)."""
    spent = tokens or dict.fromkeys(usage(1), 0)
    return {
        "iteration": iteration,
        "model": MODEL,
        "phase": "BOOTSTRAP",
        "duration_ms": duration_ms,
        "provider": PROVIDER,
        "status": "completed" if ok else "failed",
        **spent,
        "cost_usd": cost(spent) if tokens else 0.0,
        "timestamp": stamp(),
    }


def result_cost(tokens: dict[str, int]) -> dict[str, Any]:
    """metrics/result-cost-N.json, from the provider's result line."""
    return {"total_cost_usd": cost(tokens), **tokens}


def completion_text(outcome: str, tasks: dict[str, int], branch: str) -> str:
    """COMPLETION.txt (its head: the lines a reader parses)."""
    counts = " ".join(f"{name}={tasks.get(name, 0)}" for name in TASK_COUNTS)
    return (
        "Loki Mode run summary\n=====================\n\n"
        f"Outcome:       {OUTCOME_LABELS.get(outcome, outcome)}\n"
        f"Branch:        {branch}\n"
        "Files:         0 (+0 / -0)\n"
        f"Finished:      {stamp()}\n"
        f"Tasks:         {counts}\n"
    )


def run_manifest(outcome: str, iterations: int, prd: str | None, branch: str) -> dict[str, Any]:
    """loki-run.json."""
    return {
        "schema": "loki-run-manifest/v1",
        "loki_version": RUNNER_VERSION,
        "timestamp": stamp(),
        "outcome": outcome,
        "iterations": iterations,
        "provider": PROVIDER,
        "last_tier": "development",
        "spec": {"path": prd or ""},
        "git": {"branch": branch},
    }


def completion_record(outcome: str, branch: str) -> dict[str, Any]:
    """state/completion.json."""
    return {
        "outcome": outcome,
        "error_class": None,
        "error_brief": None,
        "branch": branch,
        "timestamp": stamp(),
    }


def paused_note() -> str:
    """PAUSED.md."""
    return (
        "# Loki Mode - Paused\n\nExecution is currently paused. Options:\n\n"
        "1. **Resume**: Press Enter in terminal or `rm .loki/PAUSE`\n"
        '2. **Add Instructions**: `echo "Focus on fixing the login bug" > .loki/HUMAN_INPUT.md`\n'
        "3. **Stop**: `touch .loki/STOP`\n"
    )
