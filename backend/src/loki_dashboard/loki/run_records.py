"""The records a run leaves about how it ended (and, while paused, why it waits).

All three are written by the runner's `build_completion_summary` (run.sh), each time with the
same outcome word: `state/completion.json` (structured), `COMPLETION.txt` (its `Outcome:` line,
for people) and, at the very end, `loki-run.json` (the run manifest). Words the runner uses:
complete, max_iterations, max_duration, stopped, failed, force_stopped, intervention (written
while a pause waits for a person, so it is not an end), inconclusive_spec_contradiction.
`state/LAST_ERROR.json` holds the last failure's class and brief (what `loki why` prints).
They survive into the next run: a record older than the run it is read for is not its record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from loki_dashboard.loki.files import as_dict, as_int, as_str
from loki_dashboard.loki.timestamps import parse_time

# COMPLETION.txt's labels → the outcome words of completion.json.
_LABELS = {
    "completed": "complete",
    "max iterations": "max_iterations",
    "stopped": "stopped",
    "failed": "failed",
    "needs input": "intervention",
}
_OUTCOME_LINE = re.compile(r"^Outcome:\s*(.+?)\s*$", re.MULTILINE)
_FINISHED_LINE = re.compile(r"^Finished:\s*(\S+)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class EndRecord:
    """One record of how a run ended; `at` is when the runner wrote it."""

    outcome: str
    at: datetime | None
    source: str
    branch: str | None = None
    start_sha: str | None = None
    head_sha: str | None = None
    error_class: str | None = None
    error_brief: str | None = None


def parse_completion_json(value: Any) -> EndRecord | None:
    data = as_dict(value)
    outcome = as_str(data.get("outcome"), limit=64)
    if not outcome:
        return None
    return EndRecord(
        outcome=outcome.lower(),
        at=parse_time(data.get("timestamp")),
        source="state/completion.json",
        branch=as_str(data.get("branch"), limit=255),
        start_sha=as_str(data.get("start_sha"), limit=64),
        head_sha=as_str(data.get("head_sha"), limit=64),
        error_class=as_str(data.get("error_class"), limit=64),
        error_brief=as_str(data.get("error_brief"), limit=2000),
    )


def parse_completion_txt(text: str | None) -> EndRecord | None:
    """COMPLETION.txt's `Outcome:` label as an outcome word, dated by its `Finished:` line."""
    if not text:
        return None
    found = _OUTCOME_LINE.search(text)
    if found is None:
        return None
    label = found.group(1).strip()
    finished = _FINISHED_LINE.search(text)
    return EndRecord(
        outcome=_LABELS.get(label.lower(), label.lower().replace(" ", "_")[:64]),
        at=parse_time(finished.group(1)) if finished else None,
        source="COMPLETION.txt",
    )


def parse_run_manifest(value: Any) -> EndRecord | None:
    """`loki-run.json`: written once the run is over, with its git facts."""
    data = as_dict(value)
    outcome = as_str(data.get("outcome"), limit=64)
    if not outcome:
        return None
    git = as_dict(data.get("git"))
    return EndRecord(
        outcome=outcome.lower(),
        at=parse_time(data.get("timestamp")),
        source="loki-run.json",
        branch=as_str(git.get("branch"), limit=255),
        start_sha=as_str(git.get("start_sha"), limit=64),
        head_sha=as_str(git.get("head_sha"), limit=64),
    )


@dataclass(frozen=True)
class LastError:
    iteration: int | None
    error_class: str
    brief: str | None
    at: datetime | None


def parse_last_error(value: Any) -> LastError | None:
    data = as_dict(value)
    error_class = as_str(data.get("error_class"), limit=64)
    if not error_class:
        return None
    return LastError(
        iteration=as_int(data.get("iteration")),
        error_class=error_class,
        brief=as_str(data.get("brief"), limit=2000),
        at=parse_time(data.get("timestamp")),
    )


@dataclass(frozen=True)
class Budget:
    """`metrics/budget.json`: the run's spending limit (LOKI_BUDGET_LIMIT) and what it used."""

    limit: float | None
    used: float | None
    exceeded: bool
    exceeded_at: datetime | None


def parse_budget(value: Any) -> Budget | None:
    data = as_dict(value)
    limit = _money(data.get("limit", data.get("budget_limit")))
    used = _money(data.get("budget_used"))
    if limit is None and used is None:
        return None
    return Budget(
        limit=limit,
        used=used,
        exceeded=data.get("exceeded") is True,
        exceeded_at=parse_time(data.get("exceeded_at")),
    )


def _money(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)
