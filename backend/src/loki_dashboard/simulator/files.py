"""How the simulated runner writes: like the real one, some files by temp+rename, some in place."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def write_renamed(path: Path, value: Any) -> None:
    """Temp file then rename (dashboard-state.json, autonomy-state.json)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    temp.write_text(json.dumps(value, indent=2))
    os.replace(temp, path)


def write_in_place(path: Path, value: Any) -> None:
    """`cmd > file`, as bash does: readers can catch it empty or half-written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as out:
        out.write(json.dumps(value))


def read_json(path: Path, default: Any) -> Any:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return default


def append_line(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as out:
        out.write(text + "\n")
