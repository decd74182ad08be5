"""Files that steer a run: PAUSE, STOP, HUMAN_INPUT.md and the model override.

Each is written whole to a temp file and renamed, so the runner never reads half of one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from loki_dashboard.loki.files import is_ignored_name

MAX_HUMAN_INPUT_BYTES = 1024 * 1024
MODELS = ("haiku", "sonnet", "opus")


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as out:
            out.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _now() -> str:
    return datetime.now(UTC).isoformat()


def request_pause(loki_dir: Path) -> None:
    write_atomically(loki_dir / "PAUSE", _now() + "\n")


def request_stop(loki_dir: Path) -> None:
    write_atomically(loki_dir / "STOP", _now() + "\n")


def clear_pause_and_stop(loki_dir: Path) -> None:
    """Resume: there is no RESUME file; the run carries on once PAUSE and STOP are gone."""
    for name in ("PAUSE", "STOP"):
        with contextlib.suppress(FileNotFoundError):
            (loki_dir / name).unlink()


def write_human_input(loki_dir: Path, text: str) -> None:
    write_atomically(loki_dir / "HUMAN_INPUT.md", text)


def write_model_override(loki_dir: Path, model: str) -> None:
    write_atomically(loki_dir / "state" / "model-override", model + "\n")


MAX_SIGNALS = 64


def read_signals(loki_dir: Path) -> list[str]:
    """The names in `signals/` (COUNCIL_REVIEW_REQUESTED, BUDGET_EXCEEDED, GATE_ESCALATION, …):
    the run's pending requests and alerts, shown with its status."""
    try:
        names = [e.name for e in os.scandir(loki_dir / "signals") if not is_ignored_name(e.name)]
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return []
    return sorted(names)[:MAX_SIGNALS]


def human_input_outcome(loki_dir: Path, since: float) -> str | None:
    """'accepted' / 'rejected' once the runner moved HUMAN_INPUT.md into logs/, else None."""
    logs = loki_dir / "logs"
    newest: tuple[float, str] | None = None
    with contextlib.suppress(FileNotFoundError):
        for entry in logs.iterdir():
            if not entry.name.startswith("human-input-"):
                continue
            mtime = entry.stat().st_mtime
            if mtime + 1 >= since and (newest is None or mtime > newest[0]):
                outcome = "rejected" if "REJECTED" in entry.name else "accepted"
                newest = (mtime, outcome)
    return newest[1] if newest else None
