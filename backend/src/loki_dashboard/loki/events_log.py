"""`events.jsonl`: the run's history, `{"timestamp","type","data"}` per line.

Append-only across runs (filter by time), rotated to `.1`, the last line may be torn and `data`
may be a string: bad lines are skipped, never fatal.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from loki_dashboard.loki.files import as_str
from loki_dashboard.loki.timestamps import parse_time


@dataclass(frozen=True)
class LokiEvent:
    type: str
    timestamp: datetime | None
    data: dict[str, Any]


def parse_event_line(line: bytes | str) -> LokiEvent | None:
    try:
        value = json.loads(line)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, dict):
        return None
    kind = as_str(value.get("type"), limit=128)
    if kind is None:
        return None
    data = value.get("data")
    if isinstance(data, str):
        data = {"message": data}
    elif not isinstance(data, dict):
        data = {} if data is None else {"value": data}
    return LokiEvent(kind, parse_time(value.get("timestamp")), data)


def parse_event_lines(lines: Iterable[bytes | str]) -> list[LokiEvent]:
    return [event for line in lines if (event := parse_event_line(line)) is not None]
