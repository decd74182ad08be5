"""A simulated run as a real subprocess (`loki-dashboard simulate`), and what it wrote."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from tests.fixtures.real_runs import FIXTURES

T = TypeVar("T")
TIMEOUT = 60.0
PRD = """# PRD: greet

Build a tiny Python module `src/greet.py`.

## Requirements
1. `greet(name)` returns "Hello, <name>!".
2. Add one extra greeting variant per iteration.
3. Keep a running log of changes in `NOTES.md`.

## Acceptance
- `greet('x')` is `Hello, x!`.
"""


def real(scenario: str, relative: str) -> Any:
    """A JSON file of a recorded real run (read in place: nothing here writes)."""
    return json.loads((FIXTURES / scenario / "loki" / relative).read_text())


def real_events(scenario: str) -> list[dict[str, Any]]:
    lines = (FIXTURES / scenario / "loki" / "events.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@dataclass
class Simulation:
    project: Path
    process: subprocess.Popen[bytes]
    stdout: Path

    @property
    def loki(self) -> Path:
        return self.project / ".loki"

    def json(self, relative: str) -> Any:
        return json.loads((self.loki / relative).read_text())

    def state(self) -> dict[str, Any]:
        """autonomy-state.json ({} until the first iteration writes it)."""
        with contextlib.suppress(OSError, ValueError):
            value: dict[str, Any] = self.json("autonomy-state.json")
            return value
        return {}

    def events(self) -> list[dict[str, Any]]:
        path = self.loki / "events.jsonl"
        lines = path.read_text().splitlines() if path.exists() else []
        return [json.loads(line) for line in lines if line.strip()]

    def output(self) -> str:
        return self.stdout.read_text()

    def wait_for(self, check: Callable[[], T], what: str, timeout: float = TIMEOUT) -> T:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError, ValueError):
                result = check()
                if result:
                    return result
            time.sleep(0.02)
        raise AssertionError(f"timed out waiting for {what}; output:\n{self.output()[-3000:]}")

    def running_in(self, iteration: int) -> None:
        """Wait until the provider call of `iteration` is on (status running)."""
        self.wait_for(
            lambda: (
                self.state().get("status") == "running"
                and self.state().get("iterationCount") == iteration
            ),
            f"iteration {iteration} to run",
        )

    def exit_code(self, timeout: float = TIMEOUT) -> int:
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"the run did not end; output:\n{self.output()[-3000:]}") from None

    def signal(self, signum: int) -> None:
        """To the run's process group, as the dashboard and `loki stop` send it."""
        os.killpg(self.process.pid, signum)


@contextlib.contextmanager
def simulation(
    project: Path, *args: str, prd: str | None = "PRD.md", **env: str
) -> Iterator[Simulation]:
    """Run `loki-dashboard simulate [PRD] ARGS` in `project` (with the greet PRD written when
    `prd` is given); it is killed if the test leaves it running."""
    project.mkdir(parents=True, exist_ok=True)
    if prd is not None and not (project / prd).exists():
        (project / prd).write_text(PRD)
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LOKI_")}
    stdout = project.parent / f"{project.name}-stdout.log"
    with stdout.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "loki_dashboard", "simulate", *([prd] if prd else []), *args],
            cwd=project,
            env={**clean, "PYTHONUNBUFFERED": "1", **env},
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield Simulation(project, process, stdout)
    finally:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        process.wait()
