"""`autonomy-state.json` (live iteration and final status) and `state/orchestrator.json` (phase).

`dashboard-state.json` freezes `iteration` and `provider` at start, so these two files are the
sources of truth for the iteration count, the run status and the phase, and `state/provider`
(then `context/tracking.json`) for the provider.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from loki_dashboard.loki.files import ReadStatus, as_dict, as_int, as_str, read_bytes, read_json
from loki_dashboard.loki.timestamps import parse_time


@dataclass(frozen=True)
class AutonomyState:
    iteration: int | None
    status: str | None
    prd_path: str | None
    pid: int | None
    last_exit_code: int | None
    last_run: datetime | None


def parse_autonomy_state(value: Any) -> AutonomyState:
    data = as_dict(value)
    return AutonomyState(
        iteration=as_int(data.get("iterationCount")),
        status=(as_str(data.get("status"), limit=64) or "").lower() or None,
        prd_path=as_str(data.get("prdPath")),
        pid=as_int(data.get("pid")),
        last_exit_code=as_int(data.get("lastExitCode")),
        last_run=parse_time(data.get("lastRun")),
    )


@dataclass(frozen=True)
class Orchestrator:
    phase: str | None
    started_at: datetime | None
    iteration: int | None
    metrics: dict[str, Any]


def parse_orchestrator(value: Any) -> Orchestrator:
    data = as_dict(value)
    phase = as_str(data.get("currentPhase"), limit=64)
    return Orchestrator(
        phase=phase.upper() if phase else None,
        started_at=parse_time(data.get("startedAt")),
        iteration=as_int(data.get("iteration")),
        metrics=as_dict(data.get("metrics")),
    )


def read_provider(loki_dir: Path) -> str | None:
    """The run's current provider: `state/provider` (one line), else `context/tracking.json`'s
    `provider`; None when neither says (dashboard-state's frozen copy is the caller's fallback).
    """
    status, data, _ = read_bytes(loki_dir / "state" / "provider", 4096)
    if status is ReadStatus.OK:
        lines = data.decode("utf-8", "replace").strip().splitlines()
        name = as_str(lines[0], limit=32) if lines else None
        if name:
            return name.lower()
    tracking = read_json(loki_dir / "context" / "tracking.json").value
    name = as_str(as_dict(tracking).get("provider"), limit=32)
    return name.lower() if name else None
