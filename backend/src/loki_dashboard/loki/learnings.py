"""`$LOKI_HOME/learnings/{patterns,mistakes,successes}.jsonl`: cross-project learnings.

The first line is a header without `description`; it and any record without one are skipped.
A fingerprint over type and lower-cased description de-duplicates imports.
"""

from __future__ import annotations

import hashlib
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
    fingerprint: str


def fingerprint(kind: str, description: str) -> str:
    return hashlib.sha256(f"{kind}\n{description.strip().lower()}".encode()).hexdigest()


def parse_learnings(text: str, kind: str) -> list[LearningRecord]:
    records: dict[str, LearningRecord] = {}
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
        key = fingerprint(kind, description)
        records.setdefault(
            key,
            LearningRecord(
                type=kind,
                description=description,
                category=as_str(value.get("category"), limit=255),
                project=as_str(value.get("project"), limit=255),
                timestamp=parse_time(value.get("timestamp")),
                fingerprint=key,
            ),
        )
    return list(records.values())
