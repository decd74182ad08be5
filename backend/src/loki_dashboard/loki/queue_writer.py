"""Rewrite `queue/pending.json` under the runner's lock without losing anyone's entries.

Under the lock the file is read again, changed in memory, written to a temp file in `queue/` and
renamed over the original: readers see the old or the new file, never half of one, and entries the
runner or the agent wrote a moment ago are kept. The file keeps its shape (a bare list or
`{"tasks": [...]}`), its other keys, its indentation style and its mode. `.loki` and `queue/`
must be real folders and `pending.json` a regular file (never followed through a link, see
run_folder.py); otherwise nothing is written and QueueFileInvalid says why.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from loki_dashboard.loki.queue_lock import queue_lock_at
from loki_dashboard.loki.run_folder import UnsafeRunFolder, run_folder, write_file
from loki_dashboard.loki.safe_open import NotRegularFile, open_regular_in

PENDING = "pending.json"

Entries = list[Any]


class QueueFileInvalid(Exception):
    """pending.json holds something we must not overwrite (not a list or a tasks wrapper, not a
    regular file), or the queue folder is a link."""


def _read(queue: int, path: Path) -> tuple[Any, Entries, bool, int]:
    """(document, its task list, whether it was pretty-printed, its mode) of `path`, the file
    PENDING in the folder `queue`; a missing file is empty."""
    try:
        fd = open_regular_in(queue, PENDING, str(path))
    except NotRegularFile as exc:
        raise QueueFileInvalid(f"{path} is {exc.strerror}; not touching it") from None
    except FileNotFoundError:
        return [], [], True, 0o644
    with os.fdopen(fd) as handle:
        mode = stat.S_IMODE(os.fstat(handle.fileno()).st_mode)
        text = handle.read()
    document, entries, pretty = _parse(path, text)
    return document, entries, pretty, mode


def _parse(path: Path, text: str) -> tuple[Any, Entries, bool]:
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


def _write(queue: int, queue_dir: Path, document: Any, pretty: bool, mode: int) -> None:
    text = json.dumps(document, indent=2 if pretty else None) + "\n"
    write_file(queue, PENDING, text.encode(), mode=mode, where=queue_dir)


def update_pending(queue_dir: Path, change: Callable[[Entries], Entries]) -> Entries:
    """Apply `change` to the pending entries under the lock; returns the entries written.
    `queue_dir` is `<project>/.loki/queue`, made when missing (never through a link)."""
    path = queue_dir / PENDING
    try:
        with (
            run_folder(queue_dir.parent, queue_dir.name) as queue,
            queue_lock_at(queue, queue_dir),
        ):
            document, entries, pretty, mode = _read(queue, path)
            new_entries = change(list(entries))
            if isinstance(document, dict):
                document["tasks"] = new_entries
            else:
                document = new_entries
            _write(queue, queue_dir, document, pretty, mode)
    except UnsafeRunFolder as exc:
        raise QueueFileInvalid(str(exc)) from None
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
