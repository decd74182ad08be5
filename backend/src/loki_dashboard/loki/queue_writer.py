"""Rewrite `queue/pending.json` under the runner's lock without losing anyone's entries.

Under the lock the file is read again, changed in memory, written to a temp file in `queue/` and
renamed over the original: readers see the old or the new file, never half of one, and entries the
runner or the agent wrote a moment ago are kept. The file keeps its shape (a bare list or
`{"tasks": [...]}`), its other keys, its indentation style and its mode.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from loki_dashboard.loki.queue_lock import queue_lock

PENDING = "pending.json"

Entries = list[Any]


class QueueFileInvalid(Exception):
    """pending.json holds something we must not overwrite (not a list or a tasks wrapper)."""


def _read(path: Path) -> tuple[Any, Entries, bool]:
    """(document, its task list, whether it was pretty-printed); a missing file is empty."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        return [], [], True
    if not text.strip():
        return [], [], True
    try:
        document = json.loads(text)
    except ValueError:
        raise QueueFileInvalid(f"{path} is not valid JSON; not touching it") from None
    if isinstance(document, list):
        return document, document, "\n" in text.strip()
    if isinstance(document, dict) and isinstance(document.get("tasks", []), list):
        document.setdefault("tasks", [])
        return document, document["tasks"], "\n" in text.strip()
    raise QueueFileInvalid(f'{path} is neither a list nor {{"tasks": [...]}}; not touching it')


def _write(path: Path, document: Any, pretty: bool) -> None:
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, temp = tempfile.mkstemp(prefix=".pending.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as out:
            json.dump(document, out, indent=2 if pretty else None)
            out.write("\n")
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def update_pending(queue_dir: Path, change: Callable[[Entries], Entries]) -> Entries:
    """Apply `change` to the pending entries under the lock; returns the entries written."""
    queue_dir.mkdir(parents=True, exist_ok=True)
    path = queue_dir / PENDING
    with queue_lock(queue_dir):
        document, entries, pretty = _read(path)
        new_entries = change(list(entries))
        if isinstance(document, dict):
            document["tasks"] = new_entries
        else:
            document = new_entries
        _write(path, document, pretty)
    return new_entries


def entry_id(entry: Any) -> str | None:
    return str(entry["id"]) if isinstance(entry, dict) and "id" in entry else None


def insert_front(entry: dict[str, Any]) -> Callable[[Entries], Entries]:
    """Put `entry` first (the runner shows the agent only the first three), replacing any entry
    with the same id so ids stay unique."""
    return lambda entries: [entry, *(e for e in entries if entry_id(e) != entry["id"])]


def replace(entry: dict[str, Any]) -> Callable[[Entries], Entries]:
    """Update the entry with `entry`'s id where it stands, keeping fields the runner added."""
    return lambda entries: [
        {**e, **entry} if entry_id(e) == entry["id"] and isinstance(e, dict) else e for e in entries
    ]


def remove(task_id: str) -> Callable[[Entries], Entries]:
    return lambda entries: [e for e in entries if entry_id(e) != task_id]


def reorder(ordered_ids: list[str]) -> Callable[[Entries], Entries]:
    """Entries named in `ordered_ids` take those positions' order among themselves; everything
    else (the run's own entries, unknown shapes) stays where it is."""

    def change(entries: Entries) -> Entries:
        wanted = [i for i in ordered_ids if any(entry_id(e) == i for e in entries)]
        by_id = {entry_id(e): e for e in entries if entry_id(e) in wanted}
        slots = iter(wanted)
        return [by_id[next(slots)] if entry_id(e) in by_id else e for e in entries]

    return change
