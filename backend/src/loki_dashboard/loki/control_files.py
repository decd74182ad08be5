"""Files that steer a run: PAUSE, STOP, HUMAN_INPUT.md and the model override.

Each is written whole to a temp file and renamed, so the runner never reads half of one, and
only into real folders of the project (see run_folder.py): a `.loki` or `state/` that is a link
is refused with UnsafeRunFolder. What the run answers (`signals/`, `logs/human-input-*`) is read
the same careful way.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from loki_dashboard.loki.files import is_ignored_name
from loki_dashboard.loki.run_folder import remove_file, run_folder, write_file
from loki_dashboard.loki.safe_open import glob_files, open_folder

MAX_HUMAN_INPUT_BYTES = 1024 * 1024
MODELS = ("haiku", "sonnet", "opus")


def write_control_file(loki_dir: Path, rel: str, text: str) -> None:
    """Write `rel` (`NAME` or `folder/NAME`) inside `loki_dir` whole, making its folder."""
    *below, name = rel.split("/")
    with run_folder(loki_dir, *below) as folder:
        write_file(folder, name, text.encode(), where=loki_dir.joinpath(*below))


def _now() -> str:
    return datetime.now(UTC).isoformat()


def request_pause(loki_dir: Path) -> None:
    write_control_file(loki_dir, "PAUSE", _now() + "\n")


def request_stop(loki_dir: Path) -> None:
    write_control_file(loki_dir, "STOP", _now() + "\n")


def clear_pause_and_stop(loki_dir: Path) -> None:
    """Resume: there is no RESUME file; the run carries on once PAUSE and STOP are gone."""
    with run_folder(loki_dir) as folder:
        for name in ("PAUSE", "STOP"):
            remove_file(folder, name, where=loki_dir)


def write_human_input(loki_dir: Path, text: str) -> None:
    write_control_file(loki_dir, "HUMAN_INPUT.md", text)


def write_model_override(loki_dir: Path, model: str) -> None:
    write_control_file(loki_dir, "state/model-override", model + "\n")


MAX_SIGNALS = 64
# A folder the run filled with junk is listed this far, not for minutes.
MAX_LISTED = 10_000


def _regular_files(folder: Path, keep: Callable[[str], bool]) -> list[tuple[str, float]]:
    """(name, mtime) of the regular files in a real folder of the run whose names `keep` takes
    (the first MAX_LISTED); none when the folder is missing or reached through a link."""
    try:
        fd = open_folder(folder)
    except (OSError, ValueError):
        return []
    found: list[tuple[str, float]] = []
    try:
        with os.scandir(fd) as entries:
            for entry in entries:
                if keep(entry.name) and entry.is_file(follow_symlinks=False):
                    found.append((entry.name, entry.stat(follow_symlinks=False).st_mtime))
                    if len(found) >= MAX_LISTED:
                        break
    except OSError:
        return found
    finally:
        os.close(fd)
    return found


def read_signals(loki_dir: Path) -> list[str]:
    """The names in `signals/` (COUNCIL_REVIEW_REQUESTED, BUDGET_EXCEEDED, GATE_ESCALATION, …):
    the run's pending requests and alerts, shown with its status."""
    found = _regular_files(loki_dir / "signals", lambda name: not is_ignored_name(name))
    return sorted(name for name, _ in found)[:MAX_SIGNALS]


def human_input_outcome(loki_dir: Path, since: float) -> str | None:
    """'accepted' / 'rejected' once the runner moved HUMAN_INPUT.md into logs/, else None."""
    newest: tuple[float, str] | None = None
    for name, mtime in _regular_files(loki_dir / "logs", lambda n: n.startswith("human-input-")):
        if mtime + 1 >= since and (newest is None or mtime > newest[0]):
            newest = (mtime, "rejected" if "REJECTED" in name else "accepted")
    return newest[1] if newest else None


def read_human_inputs(loki_dir: Path) -> list[tuple[str, datetime]]:
    """The runner's answers to HUMAN_INPUT.md: each `logs/human-input-*.md` with when it was
    moved there (its inode change time; the move keeps the user's write time as its mtime)."""
    found: list[tuple[str, datetime]] = []
    for rel in glob_files(loki_dir, "logs/human-input-*.md")[-MAX_SIGNALS:]:
        try:
            changed = os.lstat(loki_dir / rel).st_ctime
        except OSError:
            continue
        found.append((rel.rsplit("/", 1)[-1], datetime.fromtimestamp(changed, UTC)))
    return found
