"""Which Markdown files in a project could be its PRD, for the start-session picker.

Only regular files count: a link (to a file outside the project, or a FIFO named `x.md`) is not a
PRD the runner should be pointed at.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from loki_dashboard.errors import InvalidInput

MAX_DEPTH = 3
MAX_FILES = 200
# Folders that hold other people's Markdown or build output, never a project's PRD.
SKIPPED = frozenset({"node_modules", "vendor", "dist", "build", "target", "site-packages"})


def _rank(path: str) -> tuple[bool, int, str]:
    """PRD-looking names first, then shallow before deep, then by name."""
    return ("prd" not in path.lower(), path.count("/"), path.lower())


def _regular(folder: str, name: str) -> bool:
    try:
        return stat.S_ISREG(os.lstat(os.path.join(folder, name)).st_mode)
    except OSError:
        return False


def prd_candidates(folder: Path) -> list[str]:
    """Markdown files up to three folders down, relative to `folder` (hidden folders, `.loki`
    included, and dependency folders skipped); at most 200, the likeliest first."""
    found: list[str] = []
    for root, dirs, files in os.walk(folder, onerror=lambda _error: None):
        depth = len(Path(root).relative_to(folder).parts)
        dirs[:] = [] if depth >= MAX_DEPTH else [
            d for d in dirs if not d.startswith(".") and d not in SKIPPED
        ]  # fmt: skip
        for name in files:
            if name.lower().endswith(".md") and not name.startswith(".") and _regular(root, name):
                found.append(Path(root, name).relative_to(folder).as_posix())
        if len(found) >= MAX_FILES * 5:  # a folder of generated docs: enough to choose from
            break
    return sorted(found, key=_rank)[:MAX_FILES]


def _refuse(message: str, raw: str) -> InvalidInput:
    return InvalidInput(message, details=[{"field": "prd_path", "value": raw}])


def resolve_prd(folder: Path, raw: str) -> Path:
    """The PRD a run is started with: `raw` (relative to the project, or absolute) must resolve,
    links followed, to a regular file inside `folder` (blocking: it looks at the file system).

    Returns the absolute path, which cannot be mistaken for an option of the runner.
    """
    try:
        root = folder.resolve(strict=True)
        resolved = (root / raw).resolve(strict=True)  # an absolute `raw` replaces `root`
        mode = resolved.stat().st_mode
    except (OSError, RuntimeError, ValueError):
        raise _refuse(f"no PRD file at {raw!r} in the project folder", raw) from None
    if not resolved.is_relative_to(root):
        raise _refuse(f"the PRD {raw!r} is outside the project folder {root}", raw)
    if not stat.S_ISREG(mode):
        raise _refuse(f"the PRD {raw!r} is not a regular file", raw)
    return resolved
