from __future__ import annotations

import uuid
from datetime import UTC, datetime
from types import SimpleNamespace

from loki_dashboard.schemas.logs import LogEntry
from loki_dashboard.watcher.serialize import log_data


def test_fast_log_shape_matches_the_api_schema() -> None:
    row = {
        "id": 5,
        "project_id": uuid.uuid4(),
        "session_id": None,
        "timestamp": datetime(2026, 11, 24, 12, 0, 1, 250000, tzinfo=UTC),
        "level": "warn",
        "source": "agent.log",
        "message": "[WARN] x",
        "meta": {"event": "note"},
        "raw": "\x1b[33m[WARN]\x1b[0m x",
    }
    expected = LogEntry.model_validate(SimpleNamespace(**row)).model_dump(mode="json")
    assert log_data(row) == expected
