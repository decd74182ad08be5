"""The active project (the one the UI opens first and CLI commands default to), kept in a small
file in LOKI_HOME so the CLI and every server process agree without a running server."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

FILE = "active-project"


def read_active(home: Path) -> str | None:
    try:
        text = (home / FILE).read_text().strip()
        uuid.UUID(text)
    except (OSError, ValueError):
        return None
    return text


def write_active(home: Path, project_id: str | None) -> None:
    path = home / FILE
    if project_id is None:
        path.unlink(missing_ok=True)
        return
    temp = path.with_name(f".{FILE}.tmp")
    temp.write_text(project_id + "\n")
    os.replace(temp, path)
