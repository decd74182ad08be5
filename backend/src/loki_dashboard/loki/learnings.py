"""`$LOKI_HOME/learnings/{patterns,mistakes,successes}.jsonl`: cross-project learnings.

The first line is a header without `description`; it and any record without one are skipped.
Records repeated in a file (same category and description) are read once; across imports and
the API, `services.learnings.fingerprint` is the one rule for "the same learning".
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from loki_dashboard.loki.files import as_str
from loki_dashboard.loki.timestamps import parse_time

LEARNING_FILES = {
    "patterns.jsonl": "patterns",
    "mistakes.jsonl": "mistakes",
    "successes.jsonl": "successes",
}


@dataclass(frozen=True)
class LearningRecord:
    type: str
    description: str
    category: str | None
    project: str | None
    timestamp: datetime | None


def parse_learnings(text: str, kind: str) -> list[LearningRecord]:
    records: dict[tuple[str, str], LearningRecord] = {}
    for line in text.splitlines():
        try:
            value = json.loads(line)
        except (ValueError, RecursionError):
            continue
        if not isinstance(value, dict):
            continue
        description = as_str(value.get("description"))
        if description is None:
            continue
        category = as_str(value.get("category"), limit=255)
        records.setdefault(
            (category or "", description),
            LearningRecord(
                type=kind,
                description=description,
                category=category,
                project=as_str(value.get("project"), limit=255),
                timestamp=parse_time(value.get("timestamp")),
            ),
        )
    return list(records.values())
