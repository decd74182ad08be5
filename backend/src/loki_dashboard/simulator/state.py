"""A simulated run's identity and counters, and the records it keeps in `.loki/`.

The run's parts (loop, control files, signal trap, status monitor) share this one object, as
run.sh's functions share its globals.
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loki_dashboard.simulator import records
from loki_dashboard.simulator.files import append_line, read_json, write_in_place, write_renamed

# Where the runner looks for a PRD when it is given none (a subset of run.sh's list).
PRD_NAMES = (
    "PRD.md",
    "prd.md",
    "PRD.json",
    "prd.json",
    "REQUIREMENTS.md",
    "requirements.md",
    "SPEC.md",
    "spec.md",
    "docs/PRD.md",
    "docs/prd.md",
)
GENERATED_PRD = ".loki/generated-prd.md"


def find_prd(project: Path) -> str | None:
    """The PRD a run given none works from: a usual name, else one an earlier run persisted."""
    found = next((name for name in PRD_NAMES if (project / name).is_file()), None)
    if found is None and (project / GENERATED_PRD).is_file():
        return GENERATED_PRD
    return found


@dataclass
class RunState:
    project: Path
    prd: str | None  # the PRD the run works from (given or found)
    named: str | None = None  # the PRD it was given: what its records name (run.sh's PRD_PATH)
    pid: int = field(default_factory=os.getpid)
    iteration: int = 0
    retry: int = 0
    directive: str | None = None  # accepted human input, for the next prompt

    def __post_init__(self) -> None:
        self.loki = self.project / ".loki"
        self.branch = f"loki/session-{int(time.time())}-{self.pid}"

    @property
    def perpetual(self) -> bool:
        """A PRD run switches to checkpoint mode; without one the runner stays perpetual."""
        return self.prd is None

    @property
    def spec(self) -> str | None:
        """The PRD path iterations name: the runner works from its persisted copy."""
        return None if self.prd is None else GENERATED_PRD

    # -- reading ------------------------------------------------------------------------------
    def has(self, name: str) -> bool:
        return (self.loki / name).exists()

    def read(self, relative: str, default: Any) -> Any:
        return read_json(self.loki / relative, default)

    def items(self, queue: str) -> list[Any]:
        """A queue file's items: a list, or `{"tasks": [...]}`."""
        document = self.read(f"queue/{queue}.json", [])
        if isinstance(document, dict):
            document = document.get("tasks", [])
        return document if isinstance(document, list) else []

    def first_pending(self) -> dict[str, Any] | None:
        for item in self.items("pending"):
            if isinstance(item, dict) and item.get("status", "pending") == "pending":
                return item
        return None

    # -- writing ------------------------------------------------------------------------------
    def event(self, kind: str, data: dict[str, Any], *, cli: bool = False) -> None:
        append_line(self.loki / "events.jsonl", records.event_line(kind, data, cli=cli))

    def remove(self, *names: str) -> None:
        for name in names:
            with contextlib.suppress(FileNotFoundError):
                (self.loki / name).unlink()

    def save_state(self, status: str, exit_code: int) -> None:
        """autonomy-state.json, as run.sh's save_state writes it."""
        write_renamed(
            self.loki / "autonomy-state.json",
            records.autonomy_state(
                iteration=self.iteration,
                status=status,
                exit_code=exit_code,
                prd=self.named,
                pid=self.pid,
                retry=self.retry,
            ),
        )

    def phase(self, phase: str) -> None:
        """orchestrator.json's phase; its startedAt stays the first run's."""
        current = self.read("state/orchestrator.json", {})
        current = current if isinstance(current, dict) else {}
        record = records.orchestrator(phase, str(current.get("startedAt") or records.stamp()))
        write_in_place(
            self.loki / "state" / "orchestrator.json", {**record, **current, "currentPhase": phase}
        )

    def summary(self, outcome: str) -> None:
        """COMPLETION.txt, loki-run.json and state/completion.json: the durable record."""
        counts = {
            name.replace("-", "_"): len(self.items(name))
            for name in ("pending", "in-progress", "completed", "failed")
        }
        (self.loki / "COMPLETION.txt").write_text(
            records.completion_text(outcome, counts, self.branch)
        )
        write_in_place(
            self.loki / "state" / "completion.json", records.completion_record(outcome, self.branch)
        )
        write_renamed(
            self.loki / "loki-run.json",
            records.run_manifest(outcome, self.iteration, self.prd, self.branch),
        )
