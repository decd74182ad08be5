"""Which of a run's files its facts come from, and how they become `RunFiles`.

`assemble` is pure: the watcher hands it what its file index holds, and `read_run_files` (tests,
the CLI) what it reads from disk itself, so both go through the same rules.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from loki_dashboard.loki.dashboard_state import parse_dashboard_state
from loki_dashboard.loki.events_log import parse_event_lines
from loki_dashboard.loki.files import read_bytes, read_json
from loki_dashboard.loki.metrics import read_iteration_costs, read_tracking
from loki_dashboard.loki.queue import entries
from loki_dashboard.loki.run_events import RunEvents, fold_all
from loki_dashboard.loki.run_facts import RunFiles
from loki_dashboard.loki.run_records import (
    EndRecord,
    parse_budget,
    parse_completion_json,
    parse_completion_txt,
    parse_last_error,
    parse_run_manifest,
)
from loki_dashboard.loki.run_state import parse_autonomy_state, parse_orchestrator

JSON_INPUTS = (
    "autonomy-state.json",
    "state/orchestrator.json",
    "dashboard-state.json",
    "state/completion.json",
    "state/LAST_ERROR.json",
    "loki-run.json",
    "queue/pending.json",
    "metrics/budget.json",
)
TEXT_INPUTS = ("COMPLETION.txt",)
# Files whose presence and time alone say something (control files, pid files, signals).
MARKER_INPUTS = (
    "PAUSE",
    "STOP",
    "PAUSED.md",
    "PAUSE_AT_CHECKPOINT",
    "COMPLETED",
    "loki.pid",
    "run.pid",
    "session.json",
    "signals/BUDGET_EXCEEDED",
)
# Files whose writes show the run working (dashboard-state.json is rewritten every few seconds
# even while a run is paused, so it does not count).
ACTIVITY_FILES = (
    "events.jsonl",
    "autonomy-state.json",
    "state/agents.json",
    "queue/pending.json",
    "queue/in-progress.json",
    "queue/completed.json",
    "logs/agent.log",
)
ACTIVITY_GLOBS = ("logs/*.log",)
SESSION_INPUTS = tuple(dict.fromkeys((*JSON_INPUTS, *TEXT_INPUTS, *MARKER_INPUTS, *ACTIVITY_FILES)))


def assemble(
    values: Mapping[str, Any],
    texts: Mapping[str, str | None],
    mtimes: Mapping[str, datetime],
    events: RunEvents,
    *,
    autonomy: Any = None,
) -> RunFiles:
    """RunFiles from parsed JSON `values` and `texts` (by `.loki`-relative name, absent files
    left out) and the `mtimes` of every file present that matters. `autonomy`: the
    autonomy-state to use when the top-level one is absent (a `sessions/<id>/` copy)."""
    autonomy_value = values.get("autonomy-state.json", autonomy)
    parsers = (
        ("state/completion.json", parse_completion_json(values.get("state/completion.json"))),
        ("loki-run.json", parse_run_manifest(values.get("loki-run.json"))),
        ("COMPLETION.txt", parse_completion_txt(texts.get("COMPLETION.txt"))),
    )
    records = [_dated(record, mtimes.get(rel)) for rel, record in parsers]
    pending = values.get("queue/pending.json")
    written = [
        at
        for rel, at in mtimes.items()
        if rel in ACTIVITY_FILES or any(fnmatch.fnmatchcase(rel, g) for g in ACTIVITY_GLOBS)
    ]
    return RunFiles(
        autonomy=parse_autonomy_state(autonomy_value) if autonomy_value is not None else None,
        orchestrator=parse_orchestrator(values.get("state/orchestrator.json")),
        state=parse_dashboard_state(values.get("dashboard-state.json")),
        events=events,
        records=[record for record in records if record is not None],
        last_error=parse_last_error(values.get("state/LAST_ERROR.json")),
        budget=parse_budget(values.get("metrics/budget.json")),
        pending_tasks=len(entries(pending)) if pending is not None else None,
        mtimes=dict(mtimes),
        last_written=max(written, default=None),
    )


def _dated(record: EndRecord | None, written: datetime | None) -> EndRecord | None:
    """A record that states no time of its own is dated by when its file was written."""
    if record is None or record.at is not None or written is None:
        return record
    return replace(record, at=written)


def read_run_files(loki_dir: Path) -> RunFiles:
    """RunFiles read straight from a `.loki/` folder (blocking I/O: tests and the CLI)."""
    values: dict[str, Any] = {}
    for rel in JSON_INPUTS:
        result = read_json(loki_dir / rel)
        if result.ok:
            values[rel] = result.value
    texts: dict[str, str | None] = {}
    for rel in TEXT_INPUTS:
        _, data, _ = read_bytes(loki_dir / rel, 64 * 1024)
        texts[rel] = data.decode("utf-8", "replace") if data else None
    mtimes: dict[str, datetime] = {}
    for rel in (*SESSION_INPUTS, *_glob(loki_dir, ACTIVITY_GLOBS)):
        try:
            mtimes[rel] = datetime.fromtimestamp(os.stat(loki_dir / rel).st_mtime_ns / 1e9, UTC)
        except OSError:
            continue
    _, data, _ = read_bytes(loki_dir / "events.jsonl", 64 * 1024 * 1024)
    events = fold_all(RunEvents(), parse_event_lines(data.splitlines()))
    files = assemble(values, texts, mtimes, events)
    return replace(
        files, iterations=read_iteration_costs(loki_dir), tracking=read_tracking(loki_dir)
    )


def _glob(loki_dir: Path, patterns: tuple[str, ...]) -> list[str]:
    return [
        path.relative_to(loki_dir).as_posix()
        for pattern in patterns
        for path in loki_dir.glob(pattern)
    ]
