"""`dashboard-state.json`: the run's snapshot, rewritten every few seconds, sometimes invalid.

Its `iteration`, `complexity`, `rarv.currentStep` and `provider` are frozen when the run starts,
so they are not read here; the snapshot keeps only what is live (mode, phase, counts, council,
checklist, tokens, notifications).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from loki_dashboard.loki.agents import AgentEntry, parse_agents
from loki_dashboard.loki.files import as_dict, as_str
from loki_dashboard.loki.queue import QueueTask, parse_state_tasks
from loki_dashboard.loki.timestamps import parse_time

# Raw sections copied into the session snapshot when present.
SNAPSHOT_KEYS = (
    "metrics",
    "memory",
    "council",
    "checklist",
    "qualityGates",
    "budget",
    "tokens",
    "notifications",
)


@dataclass(frozen=True)
class DashboardState:
    mode: str | None
    phase: str | None
    provider: str | None  # frozen at start: a fallback only
    started_at: datetime | None
    written_at: datetime | None
    tasks: list[QueueTask] = field(default_factory=list)
    agents: list[AgentEntry] = field(default_factory=list)
    snapshot: dict[str, Any] = field(default_factory=dict)


def parse_dashboard_state(value: Any) -> DashboardState | None:
    """None when the top level is not an object (a wrong-shaped file)."""
    if not isinstance(value, dict):
        return None
    phase = as_str(value.get("phase"), limit=64)
    snapshot = {key: value[key] for key in SNAPSHOT_KEYS if value.get(key) is not None}
    mode = as_str(value.get("mode"), limit=32)
    if mode:
        snapshot["mode"] = mode
    return DashboardState(
        mode=mode,
        phase=phase.upper() if phase else None,
        provider=as_str(value.get("provider"), limit=32),
        started_at=parse_time(value.get("startedAt")),
        written_at=parse_time(value.get("timestamp")),
        tasks=parse_state_tasks(as_dict(value).get("tasks")),
        agents=parse_agents(value.get("agents")),
        snapshot=snapshot,
    )
