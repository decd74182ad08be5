"""Memory bars: how many entries `memory/{episodic,semantic,skills}/**` holds.

Counted from the folders, not from dashboard-state.json's copy, which counts the writers'
`.tmp_*.json` files too. Lock files (`*.lock`, kept forever) and dot-files are skipped.
"""

from __future__ import annotations

import os
from pathlib import Path

from loki_dashboard.loki.files import is_ignored_name
from loki_dashboard.loki.safe_open import is_real_dir

# Snapshot key → folder under memory/ (dashboard-state calls skills "procedural").
MEMORY_FOLDERS = {"episodic": "episodic", "semantic": "semantic", "procedural": "skills"}
# A runaway folder is counted up to this many entries, not walked for minutes.
MAX_COUNTED = 1_000_000


def count_memory(loki_dir: Path) -> dict[str, int] | None:
    """{"episodic", "semantic", "procedural"} counts of `*.json` files, or None without memory/.
    Blocking (a walk): call it in a thread."""
    root = loki_dir / "memory"
    if not is_real_dir(root):
        return None
    return {key: _count(root / folder) for key, folder in MEMORY_FOLDERS.items()}


def _count(folder: Path) -> int:
    """os.walk never enters a link below `folder`; `folder` itself must not be one either (a
    link to / would be walked whole)."""
    if not is_real_dir(folder):
        return 0
    total = 0
    for _dir, subdirs, files in os.walk(folder):
        subdirs[:] = [d for d in subdirs if not d.startswith(".")]
        total += sum(1 for f in files if f.endswith(".json") and not is_ignored_name(f))
        if total >= MAX_COUNTED:
            return MAX_COUNTED
    return total
