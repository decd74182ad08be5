"""run.sh's INT/TERM trap, for the simulated run.

With STOP present a signal ends the run at once: status `stopped`, `session_end` reason
`stop_requested`, exit 0 (this is what `loki stop` and the dashboard's stop rely on). Without STOP
it is not a stop: a PRD run (checkpoint mode) writes PAUSE_AT_CHECKPOINT and pauses at its next
check, a perpetual run carries on. A second signal within 2 s ends the run as `interrupted`
(exit 130). bash runs a trap between commands, so a provider call ends first; here the signal
interrupts the call's sleep, which is the same to anyone reading the files.
"""

from __future__ import annotations

import signal
import threading
import time

from loki_dashboard.simulator import console
from loki_dashboard.simulator.state import RunState

DOUBLE_SIGNAL_SECONDS = 2.0


class Shutdown(Exception):
    """The trap ended the run; `code` is the process's exit code."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class SignalTrap:
    def __init__(self, run: RunState, done: threading.Event) -> None:
        self.run, self.done = run, done
        self.last: float | None = None

    def install(self) -> None:
        signal.signal(signal.SIGTERM, self.handle)
        signal.signal(signal.SIGINT, self.handle)

    def handle(self, _signum: int, _frame: object) -> None:
        now = time.monotonic()
        double = self.last is not None and now - self.last < DOUBLE_SIGNAL_SECONDS
        self.last = now
        if self.run.has("STOP"):
            _ignore_signals()
            raise Shutdown(self._stop())
        if double:
            _ignore_signals()
            raise Shutdown(self._interrupted())
        if self.run.perpetual:
            console.say("WARN", "Interrupt received in perpetual mode -- iteration will continue")
        else:
            console.say(
                "WARN", "Interrupt received in checkpoint mode - will pause at next checkpoint"
            )
            (self.run.loki / "PAUSE_AT_CHECKPOINT").touch()
        console.say("INFO", "To stop immediately: press Ctrl+C again within 2 seconds")

    def _stop(self) -> int:
        console.say("WARN", "Loki Mode interrupted - shutting down (STOP signal)")
        self.run.remove("STOP", "PAUSE", "PAUSED.md")
        self.done.set()
        self.run.remove("loki.pid")
        self.run.save_state("stopped", 0)
        self.run.event("session_end", {"result": 0, "reason": "stop_requested"})
        self.run.remove("loki.pgid")
        console.say("INFO", "Session stopped.")
        return 0

    def _interrupted(self) -> int:
        console.say("WARN", "Loki Mode interrupted -- shutting down (double Ctrl+C)")
        (self.run.loki / "STOP").touch()
        self.done.set()
        self.run.remove("loki.pid", "PAUSE")
        self.run.save_state("interrupted", 130)
        self.run.event("session_end", {"result": 130, "reason": "interrupted"})
        self.run.remove("loki.pgid")
        console.say("INFO", "State saved. Run again to resume.")
        return 130


def _ignore_signals() -> None:
    """Like the trap's `trap '' INT TERM`: the shutdown is not interrupted again."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
