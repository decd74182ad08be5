"""`state/agents.json`: a bare list of the run's agents, often flipped to `[]` by a second writer.

Sub-agents share `agent_id`, so an entry is keyed by `tool_id`, falling back to `agent_id`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from loki_dashboard.loki.files import as_int, as_str
from loki_dashboard.loki.timestamps import parse_time


@dataclass(frozen=True)
class AgentEntry:
    external_id: str
    name: str
    type: str | None
    model: str | None
    status: str  # "active" or "completed"
    current_task: str | None
    tool_count: int
    spawned_at: datetime | None
    completed_at: datetime | None


def parse_agents(value: Any) -> list[AgentEntry]:
    """Agents of the file; entries without any id and non-objects are skipped."""
    if isinstance(value, dict):  # tolerate {"agents": [...]}
        value = value.get("agents")
    if not isinstance(value, list):
        return []
    agents: dict[str, AgentEntry] = {}
    for item in value:
        if not isinstance(item, dict):
            continue
        key = as_str(item.get("tool_id"), limit=255) or as_str(item.get("agent_id"), limit=255)
        key = key or as_str(item.get("id"), limit=255) or as_str(item.get("name"), limit=255)
        if key is None:
            continue
        status = (as_str(item.get("status")) or "active").lower()
        agent_type = as_str(item.get("agent_type"), limit=64) or as_str(item.get("type"), limit=64)
        agents[key] = AgentEntry(
            external_id=key,
            name=as_str(item.get("agent_id"), limit=255)
            or as_str(item.get("name"), limit=255)
            or key,
            type=agent_type,
            model=as_str(item.get("model"), limit=64),
            status="completed" if status in {"completed", "done", "finished"} else "active",
            current_task=as_str(item.get("current_task")),
            tool_count=max(0, as_int(item.get("tool_count")) or 0),
            spawned_at=parse_time(item.get("spawned_at")),
            completed_at=parse_time(item.get("completed_at")),
        )
    return list(agents.values())
