"""The one function that decides whether a run is alive and what its status is.

Every surface (REST, WebSocket, CLI, UI) goes through `run_status`, so they never disagree.
Pid files survive crashes and pids are reused, so a pid counts only when its process exists
and its command line looks like a Loki run. Pid files and markers are the run's files: only
regular ones count (a FIFO named loki.pid is no pid file; see safe_open.py).
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from loki_dashboard.loki.files import (
    ReadStatus,
    as_dict,
    as_int,
    as_str,
    is_ignored_name,
    read_bytes,
    read_json,
    stamp,
)
from loki_dashboard.loki.run_state import AutonomyState
from loki_dashboard.loki.safe_open import glob_files
from loki_dashboard.loki.timestamps import parse_time

# A skill-mode heartbeat older than this is stale (the old dashboard's rule; control.py's 6 h
# would show a crashed run as alive for hours).
SESSION_JSON_FRESH = timedelta(minutes=5)
# A pid file holds a number; `pids/*.json` and session.json a small object.
_PID_FILE_BYTES = 64
_SMALL_JSON_BYTES = 64 * 1024
_LOKI_MARKERS = ("loki", "run.sh", "autonomy")

# Final autonomy-state statuses once the process is gone.
COMPLETED_STATUSES = frozenset(
    {
        "council_approved",
        "council_force_approved",
        "deterministic_gates_passed",
        "completion_promise_fulfilled",
        "reuse_already_satisfied",
        "max_iterations_reached",
        "max_duration_reached",
        "completed",
    }
)
FAILED_STATUSES = frozenset(
    {
        "failed",
        "gate_stuck_static_analysis",
        "gate_stuck_mock_integrity",
        "gate_stuck_mutation_integrity",
        "policy_blocked",
        "inconclusive_spec_contradiction",
        "provider_deadline_partial_mutation",
    }
)


@dataclass(frozen=True)
class RunStatus:
    """`status` is one of running, paused, stopping, stopped, completed, failed.

    `pids`: every pid the pid files name, most specific first, alive or not (a dead run is
    still known by the pid it ran as)."""

    status: str
    alive: bool
    pid: int | None
    reason: str
    pids: tuple[int, ...] = ()


def read_pid_file(path: Path) -> int | None:
    status, data, _ = read_bytes(path, _PID_FILE_BYTES)
    if status is not ReadStatus.OK:
        return None
    text = data.decode("utf-8", "replace")
    pid = as_int(text.strip().split()[0] if text.strip() else None)
    return pid if pid and pid > 0 else None


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def looks_like_loki(pid: int) -> bool:
    """True when the process's command line names a Loki run (or /proc cannot tell us)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return not Path("/proc/self").exists()  # no procfs on this system: trust kill(0)
    except OSError:
        return False
    cmdline = raw.replace(b"\0", b" ").decode("utf-8", "replace").lower()
    return any(marker in cmdline for marker in _LOKI_MARKERS)


def is_loki_process(pid: int) -> bool:
    return process_exists(pid) and looks_like_loki(pid)


def candidate_pids(loki_dir: Path, present: Collection[str] | None = None) -> list[tuple[str, int]]:
    """(file, pid) of every pid file that could prove a run alive, most specific first.

    `present`: the `/`-separated paths inside `loki_dir` known to exist (a watcher's scan),
    which saves looking for the pid files with a glob each.
    """
    found: list[tuple[str, int]] = []

    def matching(pattern: str) -> list[str]:
        if present is not None:
            rels = [rel for rel in present if fnmatch.fnmatchcase(rel, pattern)]
        else:
            rels = glob_files(loki_dir, pattern)
        return sorted(rel for rel in rels if not is_ignored_name(rel.rsplit("/", 1)[-1]))

    def add(rel: str) -> None:
        pid = read_pid_file(loki_dir / rel)
        if pid is not None:
            found.append((rel, pid))

    if present is None or "loki.pid" in present:
        add("loki.pid")
    for pattern in ("sessions/*/loki.pid", "run-*.pid", "run.pid"):
        for rel in matching(pattern):
            add(rel)
    for rel in matching("pids/*.json"):
        data = as_dict(read_json(loki_dir / rel, max_bytes=_SMALL_JSON_BYTES).value)
        if as_str(data.get("kind")) in {"wrapper", "runner"}:
            pid = as_int(data.get("pid"))
            if pid and pid > 0:
                found.append((rel, pid))
    return found


def session_json_alive(loki_dir: Path, now: datetime) -> bool:
    """A skill-mode heartbeat: `status == "running"` and updated within five minutes."""
    path = loki_dir / "session.json"
    current = stamp(path)
    read = read_json(path, max_bytes=_SMALL_JSON_BYTES)
    if current is None or not read.ok:
        return False
    data = as_dict(read.value)
    mtime = datetime.fromtimestamp(current.mtime_ns / 1e9, UTC)
    if as_str(data.get("status")) != "running":
        return False
    updated = parse_time(data.get("updatedAt")) or parse_time(data.get("startedAt")) or mtime
    return now - updated < SESSION_JSON_FRESH


def run_status(
    loki_dir: Path,
    *,
    autonomy: AutonomyState | None = None,
    now: datetime | None = None,
    is_alive: Callable[[int], bool] = is_loki_process,
    present: Collection[str] | None = None,
) -> RunStatus:
    """Liveness and status of the run in `loki_dir`.

    Alive: STOP → stopping; PAUSE (or autonomy status "paused") → paused; else running.
    Not alive: COMPLETED marker or a success/limit status → completed; a blocked/failed status →
    failed; otherwise stopped. `present`: the files known to exist inside `loki_dir` (see
    candidate_pids), so that markers and pid files are not looked for one by one.
    """
    now = now or datetime.now(UTC)

    def exists(rel: str) -> bool:
        return rel in present if present is not None else stamp(loki_dir / rel) is not None

    live_pid: int | None = None
    reason = "no live pid"
    candidates = candidate_pids(loki_dir, present)
    pids = tuple(pid for _, pid in candidates)
    for source, pid in candidates:
        if is_alive(pid):
            live_pid, reason = pid, f"pid {pid} from {source} is a live Loki process"
            break
    alive = live_pid is not None
    if not alive and exists("session.json") and session_json_alive(loki_dir, now):
        alive, reason = True, "session.json heartbeat is fresh"
    status_word = autonomy.status if autonomy else None
    if alive:
        if exists("STOP"):
            return RunStatus("stopping", True, live_pid, reason + "; STOP requested", pids=pids)
        if exists("PAUSE") or status_word == "paused":
            return RunStatus("paused", True, live_pid, reason + "; paused", pids=pids)
        return RunStatus("running", True, live_pid, reason, pids=pids)
    last_pid = autonomy.pid if autonomy else None
    if exists("COMPLETED"):
        return RunStatus("completed", False, last_pid, reason + "; COMPLETED marker", pids=pids)
    if status_word in COMPLETED_STATUSES:
        return RunStatus(
            "completed", False, last_pid, f"{reason}; final status {status_word}", pids=pids
        )
    if status_word in FAILED_STATUSES:
        return RunStatus(
            "failed", False, last_pid, f"{reason}; final status {status_word}", pids=pids
        )
    return RunStatus("stopped", False, last_pid, reason, pids=pids)
