"""Which mirror a changed `.loki/` file feeds: tasks, agents, session, logs, events, the
session's metrics or its memory counts."""

from __future__ import annotations

from loki_dashboard.loki.files import is_ignored_name

TASKS, AGENTS, SESSION, LOGS, EVENTS, METRICS, MEMORY = (
    "tasks",
    "agents",
    "session",
    "logs",
    "events",
    "metrics",
    "memory",
)
ALL = frozenset({TASKS, AGENTS, SESSION, LOGS, EVENTS, METRICS, MEMORY})

_SESSION_FILES = frozenset(
    {
        "autonomy-state.json",
        "state/orchestrator.json",
        "loki.pid",
        "run.pid",
        "PAUSE",
        "STOP",
        "COMPLETED",
        "PAUSED.md",
        "PAUSE_AT_CHECKPOINT",
        "COMPLETION.txt",
        "loki-run.json",
        "state/completion.json",
        "state/LAST_ERROR.json",
        "session.json",
        "council/state.json",
        "checklist/verification-results.json",
    }
)


# Read with the metrics, off the event loop (see ProjectMirror._read_extras).
_EXTRAS = frozenset({"state/provider"})
_EXTRA_FOLDERS = frozenset({"metrics", "context", "quality", "council", "checklist", "signals"})


def classify(rel: str) -> frozenset[str]:
    """The kinds of sync a change of `rel` (a path inside `.loki/`, `/`-separated) needs."""
    parts = rel.split("/")
    name = parts[-1]
    if not rel or is_ignored_name(name) or any(p.startswith(".") for p in parts):
        return frozenset()
    if rel == "dashboard-state.json":
        return frozenset({SESSION, TASKS})
    if parts[0] == "queue" and len(parts) == 2 and name.endswith(".json"):
        return frozenset({TASKS})
    if rel == "state/agents.json":
        return frozenset({AGENTS})
    if parts[0] == "logs" and len(parts) == 2 and name.endswith(".log"):
        return frozenset({LOGS})
    if rel in ("events.jsonl", "events.jsonl.1"):
        return frozenset({EVENTS})
    if parts[0] == "memory":
        return frozenset({MEMORY})
    if parts[0] in _EXTRA_FOLDERS or rel in _EXTRAS:
        return frozenset({SESSION, METRICS})
    if rel in _SESSION_FILES or parts[0] in ("pids", "sessions"):
        return frozenset({SESSION})
    if len(parts) == 1 and name.startswith("run-") and name.endswith(".pid"):
        return frozenset({SESSION})
    return frozenset()
