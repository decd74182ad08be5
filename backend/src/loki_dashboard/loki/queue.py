"""Queue files (`queue/*.json`): Kanban tasks in either of the two shapes runs write.

A file is a bare list or `{"tasks": [...]}`; entries that are not objects are skipped; every
field is optional. The group (file) a task sits in sets its status, and when the same id sits in
several groups the terminal state wins, failed beating completed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from loki_dashboard.loki.files import as_dict, as_int, as_str

# File name → the status its tasks have. dead-letter counts as failed.
QUEUE_FILES: dict[str, str] = {
    "pending.json": "pending",
    "in-progress.json": "in_progress",
    "review.json": "review",
    "completed.json": "completed",
    "failed.json": "failed",
    "dead-letter.json": "failed",
}
CURRENT_TASK_FILE = "current-task.json"
# dashboard-state.json's `tasks` keys → status.
STATE_GROUPS: dict[str, str] = {
    "pending": "pending",
    "inProgress": "in_progress",
    "review": "review",
    "completed": "completed",
    "failed": "failed",
}
# Higher rank wins a duplicate: terminal beats live, failed beats completed.
STATUS_RANK = {"pending": 0, "in_progress": 1, "review": 2, "completed": 3, "failed": 4}
_PRIORITY_WORDS = {
    "critical": "critical",
    "urgent": "critical",
    "high": "high",
    "medium": "medium",
    "normal": "medium",
    "low": "low",
}


@dataclass(frozen=True)
class QueueTask:
    external_id: str
    title: str
    status: str
    description: str | None = None
    priority: str = "medium"
    type: str = "engineering"
    source: str = "loki"
    position: int = 0
    labels: list[str] = field(default_factory=list)
    github_issue: int | None = None
    raw: dict[str, Any] = field(default_factory=dict)


def entries(value: Any) -> list[dict[str, Any]]:
    """The task objects of a queue file in either shape; anything else yields no tasks."""
    if isinstance(value, dict):
        value = value.get("tasks")
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, dict)]


def title_of(entry: dict[str, Any]) -> str:
    """`title`, else `payload.action`, else `type`, else "Task"."""
    return (
        as_str(entry.get("title"))
        or as_str(as_dict(entry.get("payload")).get("action"))
        or as_str(entry.get("type"))
        or "Task"
    )


def normalise_priority(value: Any) -> str:
    if isinstance(value, str):
        return _PRIORITY_WORDS.get(value.strip().lower(), "medium")
    number = as_int(value)
    if number is None:
        return "medium"
    # The documented schema uses 1-10 with 10 the most urgent.
    if number >= 8:
        return "critical"
    if number >= 6:
        return "high"
    if number >= 4:
        return "medium"
    return "low"


def _external_id(entry: dict[str, Any]) -> str:
    ident = as_str(entry.get("id"), limit=255)
    if ident:
        return ident
    # No id: derive a stable one from the content so the same card maps to the same row.
    body = json.dumps(entry, sort_keys=True, default=str).encode()
    return "anon-" + hashlib.sha1(body, usedforsecurity=False).hexdigest()[:12]


def to_task(entry: dict[str, Any], status: str, position: int) -> QueueTask:
    labels = entry.get("labels")
    return QueueTask(
        external_id=_external_id(entry),
        title=title_of(entry),
        status=status,
        description=as_str(entry.get("description")),
        priority=normalise_priority(entry.get("priority")),
        type=as_str(entry.get("type"), limit=32) or "engineering",
        source=as_str(entry.get("source"), limit=32) or "loki",
        position=position,
        labels=[str(x) for x in labels if isinstance(x, (str, int))]
        if isinstance(labels, list)
        else [],
        github_issue=as_int(entry.get("github_issue")),
        raw=entry,
    )


def parse_group(value: Any, status: str) -> list[QueueTask]:
    return [to_task(entry, status, i) for i, entry in enumerate(entries(value))]


def parse_current_task(value: Any) -> list[QueueTask]:
    """`current-task.json` holds the in-progress card, or `{}` between iterations."""
    entry = as_dict(value)
    if not entry or not (entry.get("id") or entry.get("title")):
        return []
    return [to_task(entry, "in_progress", 0)]


def merge(groups: Iterable[QueueTask]) -> dict[str, QueueTask]:
    """One task per id: the highest-ranked status wins; within a status the first seen."""
    merged: dict[str, QueueTask] = {}
    for task in groups:
        current = merged.get(task.external_id)
        if current is None or STATUS_RANK[task.status] > STATUS_RANK[current.status]:
            merged[task.external_id] = task
    return merged


def parse_state_tasks(value: Any) -> list[QueueTask]:
    """The task groups copied into `dashboard-state.json` (used when there is no queue folder)."""
    groups = as_dict(value)
    tasks: list[QueueTask] = []
    for key, status in STATE_GROUPS.items():
        tasks.extend(parse_group(groups.get(key), status))
    return tasks
