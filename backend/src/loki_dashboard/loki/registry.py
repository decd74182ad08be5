"""`$LOKI_HOME/dashboard/projects.json`: the projects runs registered themselves.

`{"version", "projects": {id: {path, name, status, pid, ...}}}`; `status` goes stale after hard
kills, so only the path and name are used.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loki_dashboard.loki.files import as_dict, as_str


@dataclass(frozen=True)
class RegisteredProject:
    path: str
    name: str | None


def parse_registry(value: Any) -> list[RegisteredProject]:
    projects = as_dict(value).get("projects")
    items: list[Any]
    if isinstance(projects, dict):
        items = list(projects.values())
    elif isinstance(projects, list):
        items = projects
    else:
        return []
    found: dict[str, RegisteredProject] = {}
    for item in items:
        entry = as_dict(item)
        path = as_str(entry.get("path"))
        if not path or not Path(path).is_absolute():
            continue
        found.setdefault(path, RegisteredProject(path, as_str(entry.get("name"), limit=255)))
    return list(found.values())
