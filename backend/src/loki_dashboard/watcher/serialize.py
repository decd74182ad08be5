"""Event data in the same shapes the REST API returns, so clients patch caches with it as is."""

from __future__ import annotations

import uuid
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from loki_dashboard.models import Agent, RunSession
from loki_dashboard.schemas import agents as agent_schemas
from loki_dashboard.schemas import sessions as session_schemas
from loki_dashboard.schemas import tasks as task_schemas


def task_data(attributes: dict[str, Any]) -> dict[str, Any]:
    """A task row given by attribute name (`meta`), as the tasks API renders it."""
    task = task_schemas.Task.model_validate(SimpleNamespace(**attributes))
    return task.model_dump(mode="json")


def session_data(row: RunSession) -> dict[str, Any]:
    return session_schemas.Session.model_validate(row).model_dump(mode="json")


def agent_data(row: Agent) -> dict[str, Any]:
    return agent_schemas.Agent.model_validate(row).model_dump(mode="json")


def log_data(attributes: dict[str, Any]) -> dict[str, Any]:
    """`LogEntry`'s JSON shape, built directly: thousands of lines a second go through here.
    tests/watcher/test_serialize.py holds it to the schema's own output."""
    return {
        "id": attributes.get("id"),
        "project_id": _json_value(attributes.get("project_id")),
        "session_id": _json_value(attributes.get("session_id")),
        "timestamp": _json_value(attributes.get("timestamp")),
        "level": attributes.get("level"),
        "source": attributes.get("source"),
        "message": attributes.get("message"),
        "metadata": attributes.get("meta"),
        "raw": attributes.get("raw"),
    }


def _json_value(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    return value
