"""The simulated run: iterations that take pending tasks, write state, honour the control files.

Like the real runner (see the protocol page): PAUSE is honoured at the next iteration boundary
(paused in checkpoint mode, deleted and ignored in perpetual mode), STOP ends the run with
"Outcome: Stopped", HUMAN_INPUT.md is moved to logs/human-input-<ts>.md when
LOKI_PROMPT_INJECTION=true and to logs/human-input-REJECTED-<ts>.md otherwise.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from loki_dashboard.loki.queue_lock import queue_lock
from loki_dashboard.simulator.files import append_line, read_json, write_in_place, write_renamed

PHASES = ("BOOTSTRAP", "DISCOVERY", "ARCHITECTURE", "DEVELOPMENT", "QA", "DEPLOYMENT")
MAX_LOG_BYTES = 512 * 1024


class _Terminated(Exception):
    """SIGTERM arrived; handled at the run loop like the real runner's trap."""


def _raise_terminated(_signum: int, _frame: object) -> None:
    raise _Terminated


def _now() -> str:
    return datetime.now(UTC).isoformat()


@dataclass
class SimulatedRun:
    project: Path
    iterations: int = 0  # 0: until stopped
    interval: float = 2.0
    prd: str | None = None
    seed: int = 7
    iteration: int = 0
    phase: str = "BOOTSTRAP"
    started_at: str = field(default_factory=_now)
    _rng: random.Random = field(init=False)
    _done: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self.loki = self.project / ".loki"

    @property
    def perpetual(self) -> bool:
        return self.prd is None

    # -- lifecycle ----------------------------------------------------------------------------
    def run(self) -> int:
        self._start()
        signal.signal(signal.SIGTERM, _raise_terminated)
        beat = threading.Thread(target=self._dashboard_state_loop, daemon=True)
        beat.start()
        try:
            while self.iterations == 0 or self.iteration < self.iterations:
                try:
                    outcome = self._boundary()
                    if outcome is not None:
                        return outcome
                    self._iterate()
                except _Terminated:
                    # With STOP the run ends now; a bare SIGTERM turns into a pause.
                    if not (self.loki / "STOP").exists():
                        (self.loki / "PAUSE").write_text(_now() + "\n")
            self._finish("max_iterations_reached", "Completed")
            return 0
        finally:
            self._done.set()

    def _start(self) -> None:
        for folder in ("queue", "state", "logs", "metrics/efficiency"):
            (self.loki / folder).mkdir(parents=True, exist_ok=True)
        (self.loki / "loki.pid").write_text(f"{os.getpid()}\n")
        pending = self.loki / "queue" / "pending.json"
        if not pending.exists():
            tasks = [
                {"id": f"prd-{n:03}", "title": title, "priority": "high", "source": "prd"}
                for n, title in enumerate(["Set up the project", "Build the API", "Write tests"], 1)
            ]
            write_in_place(pending, {"tasks": tasks})
        for name in ("in-progress.json", "completed.json", "failed.json"):
            if not (self.loki / "queue" / name).exists():
                write_in_place(self.loki / "queue" / name, [])
        self._autonomy("running")
        self._orchestrator()
        self._event("session_start", {"pid": os.getpid(), "prd": self.prd})
        self._log("INFO", f"simulated Loki Mode run started (perpetual={self.perpetual})")

    def _finish(self, status: str, outcome: str) -> None:
        (self.loki / "COMPLETION.txt").write_text(f"Outcome: {outcome}\n")
        self._autonomy(status, exit_code=0 if outcome == "Completed" else 1)
        self._orchestrator(phase="COMPLETED" if outcome == "Completed" else "FAILED")
        write_in_place(self.loki / "state" / "agents.json", [])
        self._event("session_end", {"outcome": outcome})
        self._log("INFO", f"run ended: {outcome}")

    # -- iteration boundary: the control files --------------------------------------------------
    def _boundary(self) -> int | None:
        if (self.loki / "STOP").exists():
            (self.loki / "STOP").unlink()
            self._finish("exited", "Stopped")
            return 0
        if (self.loki / "PAUSE").exists():
            if self.perpetual:
                (self.loki / "PAUSE").unlink()
                self._log("WARN", "PAUSE ignored: perpetual mode carries on")
            else:
                outcome = self._pause()
                if outcome is not None:
                    return outcome
        self._human_input()
        return None

    def _pause(self) -> int | None:
        self._autonomy("paused")
        (self.loki / "PAUSED.md").write_text(f"Paused at {_now()}\n")
        self._log("INFO", "paused; delete PAUSE to resume")
        while (self.loki / "PAUSE").exists():
            if (self.loki / "STOP").exists():
                return self._boundary()
            time.sleep(0.1)
        with contextlib.suppress(FileNotFoundError):
            (self.loki / "PAUSED.md").unlink()
        self._autonomy("running")
        self._log("INFO", "resumed")
        return None

    def _human_input(self) -> None:
        source = self.loki / "HUMAN_INPUT.md"
        if not source.exists():
            return
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        accepted = os.environ.get("LOKI_PROMPT_INJECTION") == "true"
        name = f"human-input-{stamp}.md" if accepted else f"human-input-REJECTED-{stamp}.md"
        os.replace(source, self.loki / "logs" / name)
        self._log(
            "INFO" if accepted else "WARN",
            "human input accepted" if accepted else "human input rejected (injection off)",
        )

    # -- work ---------------------------------------------------------------------------------
    def _iterate(self) -> None:
        self.iteration += 1
        previous, self.phase = self.phase, PHASES[min(self.iteration, len(PHASES) - 1)]
        if previous != self.phase:
            self._event("phase_change", {"from": previous, "to": self.phase})
        self._event("iteration_start", {"iteration": self.iteration})
        task = self._take_pending()
        title = task["title"] if task else f"iteration {self.iteration}"
        card = task or {"id": f"iteration-{self.iteration}", "title": title, "source": "iteration"}
        write_in_place(self.loki / "queue" / "in-progress.json", [card])
        agent = {
            "agent_id": "agent-toolu_01",
            "tool_id": f"toolu_{self.iteration:04}",
            "agent_type": "general-purpose",
            "model": "sonnet",
            "status": "running",
            "current_task": title,
            "tool_count": self._rng.randint(1, 20),
            "spawned_at": _now(),
        }
        write_in_place(self.loki / "state" / "agents.json", [agent])
        self._autonomy("running")
        self._orchestrator()
        self._log("STEP", f"iteration {self.iteration}: working on {title}")
        deadline = time.monotonic() + self.interval
        while time.monotonic() < deadline:
            if self._rng.random() < 0.2:  # agents.json flips to [] now and then, as on real runs
                write_in_place(self.loki / "state" / "agents.json", [])
            self._log("INFO", f"tool call {self._rng.randint(1, 999)} for {title}")
            time.sleep(min(0.25, max(deadline - time.monotonic(), 0)))
        write_in_place(self.loki / "state" / "agents.json", [agent | {"status": "completed"}])
        write_in_place(self.loki / "queue" / "in-progress.json", [])
        completed = read_json(self.loki / "queue" / "completed.json", [])
        write_in_place(self.loki / "queue" / "completed.json", [*completed, card])
        tokens = self._rng.randint(2_000, 9_000)
        write_renamed(
            self.loki / "metrics" / "efficiency" / f"iteration-{self.iteration}.json",
            {"iteration": self.iteration, "input_tokens": tokens, "output_tokens": tokens // 4,
             "cost_usd": round(tokens * 0.000015, 4)},
        )  # fmt: skip

    def _take_pending(self) -> dict[str, Any] | None:
        """First pending task, taken under the runner's lock (pending.json is written in place)."""
        path = self.loki / "queue" / "pending.json"
        with queue_lock(self.loki / "queue"):
            document = read_json(path, [])
            tasks = document.get("tasks", []) if isinstance(document, dict) else document
            taken = next((t for t in tasks if isinstance(t, dict) and not t.get("taken")), None)
            if taken is None:
                return None
            remaining = [t for t in tasks if t is not taken]
            write_in_place(path, {**document, "tasks": remaining}
                           if isinstance(document, dict) else remaining)  # fmt: skip
        return taken

    # -- state files --------------------------------------------------------------------------
    def _autonomy(self, status: str, exit_code: int | None = None) -> None:
        value: dict[str, Any] = {
            "status": status, "iterationCount": self.iteration, "pid": os.getpid(),
            "prdPath": self.prd, "lastRun": _now(),
        }  # fmt: skip
        if exit_code is not None:
            value["lastExitCode"] = exit_code
        write_renamed(self.loki / "autonomy-state.json", value)

    def _orchestrator(self, phase: str | None = None) -> None:
        write_renamed(
            self.loki / "state" / "orchestrator.json",
            {"currentPhase": phase or self.phase, "startedAt": self.started_at,
             "iteration": self.iteration},
        )  # fmt: skip

    def _dashboard_state_loop(self) -> None:
        """dashboard-state.json every ~2 s; its iteration stays 0, as real runs leave it."""
        while not self._done.wait(2.0 * (0.5 + self._rng.random())):
            write_renamed(
                self.loki / "dashboard-state.json",
                {"timestamp": _now(), "phase": self.phase, "iteration": 0, "mode": "autonomous",
                 "provider": "claude", "startedAt": self.started_at,
                 "memory": {"episodic": self.iteration * 3, "semantic": self.iteration,
                            "skills": self.iteration // 2}},
            )  # fmt: skip

    def _event(self, kind: str, data: dict[str, Any]) -> None:
        append_line(self.loki / "events.jsonl",
                    json.dumps({"type": kind, "timestamp": _now(), "data": data}))  # fmt: skip

    def _log(self, level: str, message: str) -> None:
        log = self.loki / "logs" / "agent.log"
        append_line(log, f"[{datetime.now(UTC).strftime('%H:%M:%S')}] [{level}] {message}")
        with contextlib.suppress(FileNotFoundError):
            if log.stat().st_size > MAX_LOG_BYTES:  # the runner trims its log as it grows
                kept = log.read_bytes()[-MAX_LOG_BYTES // 2 :]
                log.write_bytes(kept[kept.find(b"\n") + 1 :])
