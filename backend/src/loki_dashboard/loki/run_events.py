"""What `events.jsonl` says about the run it is writing now: a fold over its lines.

The file is appended to across runs, so the fold starts afresh at each run's first event (the
CLI's `session` start, else a second `session_start`). Real runs write, per run (v9.22.12):
`session` {action: start} → `session_start` {pid, prd, provider} → `phase_change` {from, to} →
per iteration `iteration_start` {iteration} … `iteration_complete` → `session_end` {result,
reason} → a last `phase_change` to FAILED written by the teardown, whatever the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from loki_dashboard.loki.events_log import LokiEvent
from loki_dashboard.loki.files import as_dict, as_int, as_str
from loki_dashboard.loki.timestamps import parse_time

# A run changes phase a few times; a runaway file must not grow a session's facts for ever.
MAX_PHASES = 200


@dataclass(frozen=True)
class PhaseChange:
    phase: str
    at: datetime | None


@dataclass(frozen=True)
class RunEvents:
    """The current run as its events tell it; every field None until an event says so."""

    started_at: datetime | None = None
    pid: int | None = None
    prd: str | None = None
    provider: str | None = None
    iteration: int | None = None
    failed_iterations: int = 0
    phases: tuple[PhaseChange, ...] = ()
    last_event_at: datetime | None = None
    ended_at: datetime | None = None
    end_result: int | None = None
    end_reason: str | None = None
    # When `loki stop` / `loki pause` said so (the CLI's `session` events).
    stop_requested_at: datetime | None = None
    pause_requested_at: datetime | None = None
    # Whether this run already wrote its session_start (a second one means a new run).
    announced: bool = False

    @property
    def perpetual(self) -> bool:
        """A run started without a PRD runs in perpetual mode, which deletes PAUSE and goes on."""
        return self.announced and not self.prd

    @property
    def working_phase(self) -> str | None:
        """The last phase the run worked in: the teardown's FAILED after session_end is not
        a verdict (the runner writes it after every end, completed or stopped)."""
        for change in reversed(self.phases):
            if change.phase == "FAILED" and _at_or_after(change.at, self.ended_at):
                continue
            return change.phase
        return None


def _at_or_after(at: datetime | None, mark: datetime | None) -> bool:
    return at is not None and mark is not None and at >= mark


def fold(state: RunEvents, event: LokiEvent) -> RunEvents:
    """`state` after `event`. Pure: the same lines always give the same facts."""
    data = event.data
    at = event.timestamp
    if _starts_new_run(state, event):
        state = RunEvents(started_at=at)
    if at is not None and (state.last_event_at is None or at > state.last_event_at):
        state = replace(state, last_event_at=at)
    if state.started_at is None and at is not None:
        state = replace(state, started_at=at)
    kind = event.type
    if kind == "session":
        action = as_str(data.get("action"))
        if action == "stop":
            return replace(state, stop_requested_at=at)
        if action == "pause":
            return replace(state, pause_requested_at=at)
        return state
    if kind == "session_start":
        return replace(
            state,
            announced=True,
            pid=as_int(data.get("pid")) or state.pid,
            prd=as_str(data.get("prd")) or state.prd,
            provider=as_str(data.get("provider"), limit=32) or state.provider,
        )
    if kind == "phase_change" and isinstance(data.get("to"), str):
        phase = data["to"].strip().upper()[:64]
        if phase and len(state.phases) < MAX_PHASES:
            return replace(state, phases=(*state.phases, PhaseChange(phase, at)))
        return state
    if kind == "iteration_start":
        number = as_int(data.get("iteration"))
        return replace(state, iteration=number) if number is not None else state
    if kind == "iteration_complete" and as_str(data.get("status")) == "failed":
        if state.stop_requested_at is not None:
            return state  # the stop killed the provider call: not a failure of the run's
        return replace(state, failed_iterations=state.failed_iterations + 1)
    if kind == "session_end":
        return replace(
            state,
            ended_at=at,
            end_result=as_int(data.get("result")),
            end_reason=as_str(data.get("reason"), limit=64),
        )
    return state


# The CLI's `session` actions that begin a run (`loki start`, `loki quick`, remote start).
_START_ACTIONS = frozenset({"start", "quick_start", "remote_start"})


def _starts_new_run(state: RunEvents, event: LokiEvent) -> bool:
    if event.type == "session":
        return as_str(event.data.get("action")) in _START_ACTIONS
    # A run started without the CLI writes no `session` line: its session_start is the start.
    return event.type == "session_start" and (state.announced or state.ended_at is not None)


def fold_all(state: RunEvents, events: list[LokiEvent]) -> RunEvents:
    for event in events:
        state = fold(state, event)
    return state


def to_json(state: RunEvents) -> dict[str, Any]:
    """The fold as JSON, saved beside the events cursor so a restart resumes it."""

    def iso(at: datetime | None) -> str | None:
        return at.isoformat() if at is not None else None

    return {
        "started_at": iso(state.started_at),
        "pid": state.pid,
        "prd": state.prd,
        "provider": state.provider,
        "iteration": state.iteration,
        "failed_iterations": state.failed_iterations,
        "phases": [[change.phase, iso(change.at)] for change in state.phases],
        "last_event_at": iso(state.last_event_at),
        "ended_at": iso(state.ended_at),
        "end_result": state.end_result,
        "end_reason": state.end_reason,
        "stop_requested_at": iso(state.stop_requested_at),
        "pause_requested_at": iso(state.pause_requested_at),
        "announced": state.announced,
    }


def from_json(value: Any) -> RunEvents:
    """The fold `to_json` saved; anything unreadable starts afresh."""
    data = as_dict(value)
    phases = data.get("phases")
    return RunEvents(
        started_at=parse_time(data.get("started_at")),
        pid=as_int(data.get("pid")),
        prd=as_str(data.get("prd")),
        provider=as_str(data.get("provider"), limit=32),
        iteration=as_int(data.get("iteration")),
        failed_iterations=max(0, as_int(data.get("failed_iterations")) or 0),
        phases=tuple(
            PhaseChange(str(item[0])[:64], parse_time(item[1]))
            for item in (phases if isinstance(phases, list) else [])[:MAX_PHASES]
            if isinstance(item, list) and len(item) == 2
        ),
        last_event_at=parse_time(data.get("last_event_at")),
        ended_at=parse_time(data.get("ended_at")),
        end_result=as_int(data.get("end_result")),
        end_reason=as_str(data.get("end_reason"), limit=64),
        stop_requested_at=parse_time(data.get("stop_requested_at")),
        pause_requested_at=parse_time(data.get("pause_requested_at")),
        announced=data.get("announced") is True,
    )
