"""A run's facts as one pure function of its files: status, outcome in words, times, cost.

`derive(files, live)` reads nothing and asks no clock: the same folder always gives the same
facts, so each one is tested against folders recorded from real runs
(tests/fixtures/real_runs). Rules, each from the runner's source (run.sh v9.22.12):

- A file counts for the current run only if it was written at or after the run began: the
  terminal records, autonomy-state.json and the iteration metrics all survive into the next run.
- Alive, the run is `stopping` once STOP is there, `paused` only once the runner says it paused
  (autonomy-state "paused" or PAUSED.md, written when it honours PAUSE at its next boundary), and
  `running` otherwise, with `pause` saying "requested" while PAUSE waits to be honoured.
- Over, its outcome comes from what the runner recorded (completion.json / COMPLETION.txt /
  loki-run.json, else autonomy-state's final status, else its session_end event), and the status
  follows from that outcome: a run that hit its iteration limit stopped, it did not complete.
- Every time comes from the run: its events, the records' own timestamps, file mtimes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from loki_dashboard.loki.dashboard_state import DashboardState
from loki_dashboard.loki.metrics import IterationCost, token_totals
from loki_dashboard.loki.run_events import RunEvents
from loki_dashboard.loki.run_records import Budget, EndRecord, LastError
from loki_dashboard.loki.run_state import AutonomyState, Orchestrator

# Files written this long before the run's first event still count as its own (the runner
# writes orchestrator.json a moment before its first event, clocks round to the second).
SLACK = timedelta(seconds=2)
# `loki start` writes its start event seconds before the runner writes loki.pid (preflight,
# PRD checks); a run that began this recently and names no process yet is starting, not dead.
STARTUP_GRACE = timedelta(minutes=2)

# autonomy-state.json statuses once the run is over, as outcome words.
_STATUS_OUTCOMES = {
    "council_approved": "complete",
    "council_force_approved": "complete",
    "deterministic_gates_passed": "complete",
    "completion_promise_fulfilled": "complete",
    "reuse_already_satisfied": "complete",
    "completed": "complete",
    "max_iterations_reached": "max_iterations",
    "max_duration_reached": "max_duration",
    "force_stopped": "force_stopped",
    "stopped": "stopped",
    "interrupted": "interrupted",
    "failed": "failed",
    "policy_blocked": "policy_blocked",
    "inconclusive_spec_contradiction": "failed",
    "gate_stuck_static_analysis": "gate_stuck",
    "gate_stuck_mock_integrity": "gate_stuck",
    "gate_stuck_mutation_integrity": "gate_stuck",
    "provider_failure_no_mutation": "failed",
    "provider_deadline_no_mutation": "failed",
    "budget_exceeded": "budget_exceeded",
}
# Outcome word → the session status it means.
_OUTCOME_STATUS = {
    "complete": "completed",
    "max_iterations": "stopped",
    "max_duration": "stopped",
    "force_stopped": "stopped",
    "stopped": "stopped",
    "interrupted": "stopped",
    "budget_exceeded": "stopped",
    "ended_while_paused": "stopped",
    "failed": "failed",
    "policy_blocked": "failed",
    "gate_stuck": "failed",
    "died": "stopped",
}
# Ended outcomes that ask a person for a decision (shown under "needs you").
NEEDS_PERSON = frozenset(
    {
        "max_iterations",
        "max_duration",
        "force_stopped",
        "budget_exceeded",
        "ended_while_paused",
        "failed",
        "policy_blocked",
        "gate_stuck",
        "died",
    }
)
# Markers whose presence (and time) the derivation reads: `loki.pid` dates a run that wrote
# nothing else yet; PAUSED.md is the runner's own word that it paused.
MARKERS = ("PAUSE", "STOP", "PAUSED.md", "COMPLETED", "loki.pid", "PAUSE_AT_CHECKPOINT")


@dataclass(frozen=True)
class Liveness:
    """Whether the run's process is alive, and when that was looked at: the one input that is
    not a file (`now` only tells a run still starting up from one that died doing so)."""

    alive: bool
    pid: int | None = None
    now: datetime | None = None


@dataclass(frozen=True)
class RunFiles:
    """What a run's files say, parsed; `mtimes` holds when each file that matters was written
    (by its `.loki`-relative name), markers included."""

    autonomy: AutonomyState | None = None
    orchestrator: Orchestrator | None = None
    state: DashboardState | None = None
    events: RunEvents = field(default_factory=RunEvents)
    records: Sequence[EndRecord] = ()
    last_error: LastError | None = None
    budget: Budget | None = None
    iterations: Sequence[IterationCost] = ()
    tracking: dict[str, Any] | None = None
    # The runner's answers to HUMAN_INPUT.md: (file name in logs/, when it was moved there).
    human_inputs: Sequence[tuple[str, datetime]] = ()
    pending_tasks: int | None = None
    pid_files: tuple[int, ...] = ()
    mtimes: Mapping[str, datetime] = field(default_factory=dict)
    # The newest write among the files that show work (events, logs, state, queue).
    last_written: datetime | None = None


@dataclass(frozen=True)
class RunFacts:
    run_key: str
    status: str
    outcome: str | None
    summary: str
    pause: str | None  # "requested" (PAUSE waits for a boundary) or "paused"; None otherwise
    phase: str | None
    iteration: int
    pid: int | None
    prd_path: str | None
    provider: str | None
    exit_code: int | None
    started_at: datetime | None
    ended_at: datetime | None
    last_activity_at: datetime | None
    tokens: dict[str, Any] | None
    phases: tuple[tuple[str, datetime | None], ...] = ()
    needs_person: bool = False
    error: str | None = None
    perpetual: bool = False
    budget: Budget | None = None
    # The runner's last answer to human input in this run: ("accepted" | "rejected" |
    # "too_large", when); "rejected" means the run was started without prompt injection.
    human_input: tuple[str, datetime] | None = None


def derive(files: RunFiles, live: Liveness) -> RunFacts:
    """The facts of the run `files` describe; `live` says whether its process is alive."""
    started = _started_at(files)
    fresh = _Freshness(files.mtimes, started)
    autonomy = files.autonomy if fresh.file("autonomy-state.json") else None
    own_pid = live.pid or files.events.pid or (autonomy.pid if autonomy else None)
    pid = own_pid or (files.pid_files[0] if files.pid_files else None)
    iteration = _iteration(files, autonomy)
    since = started - SLACK if started else None
    tokens = token_totals(files.iterations, files.tracking, since=since)
    last_activity = _newest(files.last_written, files.events.last_event_at)
    budget = files.budget if files.budget and fresh.time(files.budget.exceeded_at) else None
    if not live.alive and _starting(files, own_pid, started, live.now):
        return RunFacts(
            run_key=_run_key(pid, started, files.events),
            status="starting",
            outcome=None,
            summary="Starting: the runner is checking its prerequisites and the PRD.",
            pause=None,
            phase=None,
            iteration=0,
            pid=None,
            prd_path=files.events.prd,
            provider=files.events.provider,
            exit_code=None,
            started_at=started,
            ended_at=None,
            last_activity_at=last_activity,
            tokens=None,
        )
    if live.alive:
        status, pause = _live_status(files, fresh, autonomy)
        outcome = None
        ended = None
        exit_code = None
        summary = _live_summary(status, pause, files, iteration, budget)
        error = None
    else:
        record = _end_record(files, started)
        outcome = _outcome(files, autonomy, record, fresh)
        status = _OUTCOME_STATUS.get(outcome, "stopped")
        pause = None
        ended = _ended_at(files, record, started, last_activity)
        exit_code = _exit_code(files, autonomy)
        error = _error_text(files, started)
        summary = _ended_summary(outcome, files, iteration, error)
    phase = _phase(files, fresh, live.alive)
    return RunFacts(
        run_key=_run_key(pid, started, files.events),
        status=status,
        outcome=outcome,
        summary=summary,
        pause=pause,
        phase=phase,
        iteration=iteration,
        pid=pid,
        prd_path=(autonomy.prd_path if autonomy else None) or files.events.prd,
        provider=files.events.provider,
        exit_code=exit_code,
        started_at=started,
        ended_at=ended,
        last_activity_at=_capped(last_activity, ended),
        tokens=tokens,
        phases=tuple(
            (change.phase, change.at)
            for change in files.events.phases
            if not (change.phase == "FAILED" and _after(change.at, files.events.ended_at))
        ),
        needs_person=outcome in NEEDS_PERSON or (status == "paused" and budget is not None),
        error=error,
        perpetual=files.events.perpetual,
        budget=budget,
        human_input=_human_input(files, started),
    )


@dataclass(frozen=True)
class _Freshness:
    """Which files were written during the current run."""

    mtimes: Mapping[str, datetime]
    started: datetime | None

    def at(self, rel: str) -> datetime | None:
        return self.mtimes.get(rel)

    def file(self, rel: str) -> bool:
        """Present and written since the run began (any present file counts when the start
        is unknown)."""
        written = self.mtimes.get(rel)
        if written is None:
            return False
        return self.started is None or written >= self.started - SLACK

    def time(self, at: datetime | None) -> bool:
        return at is not None and (self.started is None or at >= self.started - SLACK)


def _started_at(files: RunFiles) -> datetime | None:
    """The run's first event, else what its state files say, else when loki.pid was written."""
    if files.events.started_at is not None:
        return files.events.started_at
    candidates = [
        files.orchestrator.started_at if files.orchestrator else None,
        files.state.started_at if files.state else None,
    ]
    found = [at for at in candidates if at is not None]
    if found:
        return min(found)
    return files.mtimes.get("loki.pid")


def _run_key(pid: int | None, started: datetime | None, events: RunEvents) -> str:
    """What tells this run from the next: the time its events say it began (known from its
    first event, before any pid), else its pid, else its start from other files."""
    if events.started_at is not None:
        return f"start:{events.started_at.isoformat()}"
    if pid:
        return f"pid:{pid}"
    return f"start:{started.isoformat()}" if started else "run"


def _starting(
    files: RunFiles, pid: int | None, started: datetime | None, now: datetime | None
) -> bool:
    """Begun by the CLI moments ago, not yet naming its process, not ended: starting up (pid
    files on disk may be an earlier run's: only this run's own word about its pid counts)."""
    events = files.events
    if pid is not None or events.announced or events.ended_at is not None:
        return False
    if started is None or now is None or events.started_at is None:
        return False
    return now - started < STARTUP_GRACE


def _iteration(files: RunFiles, autonomy: AutonomyState | None) -> int:
    found = [
        autonomy.iteration if autonomy else None,
        files.events.iteration,
        files.orchestrator.iteration if files.orchestrator else None,
    ]
    return max((n for n in found if n is not None and n >= 0), default=0)


def _live_status(
    files: RunFiles, fresh: _Freshness, autonomy: AutonomyState | None
) -> tuple[str, str | None]:
    if "STOP" in files.mtimes:
        return "stopping", None
    paused = (autonomy is not None and autonomy.status in ("paused", "budget_exceeded")) or (
        fresh.file("PAUSED.md")
    )
    if paused:
        return "paused", "paused"
    if "PAUSE" in files.mtimes or "PAUSE_AT_CHECKPOINT" in files.mtimes:
        return "running", "requested"
    return "running", None


def _live_summary(
    status: str, pause: str | None, files: RunFiles, iteration: int, budget: Budget | None
) -> str:
    where = f"iteration {iteration}" if iteration else "starting up"
    if status == "stopping":
        return f"Stop requested; the run ends at its next boundary ({where})."
    if status == "paused":
        if budget is not None and budget.exceeded:
            spent = (
                f"${budget.used:.4g} spent of a ${budget.limit:.4g} limit"
                if (budget.used is not None and budget.limit is not None)
                else "over its limit"
            )
            return (
                f"Paused by its budget guard after {where}: {spent}. It goes on only once the "
                "limit is raised (or signals/BUDGET_EXCEEDED removed) and it is resumed."
            )
        return f"Paused after {where}; waiting to be resumed."
    mode = " in perpetual mode (no PRD: it ignores pauses)" if files.events.perpetual else ""
    if pause == "requested":
        if files.events.perpetual:
            return f"Pause requested, but a perpetual run ignores it ({where})."
        return f"Pause requested; the run pauses at its next boundary ({where})."
    failed = _failed_note(files)
    return f"Running{mode}, {where}{failed}." if iteration else f"Running{mode}, starting up."


def _failed_note(files: RunFiles) -> str:
    failed = files.events.failed_iterations
    return f"; {failed} iteration{'s' if failed != 1 else ''} failed" if failed else ""


def _end_record(files: RunFiles, started: datetime | None) -> EndRecord | None:
    """The newest end record written during this run (an 'intervention' record is a pause's,
    kept only if nothing newer says how the run ended)."""
    fresh = [
        record
        for record in files.records
        if record.at is not None and (started is None or record.at >= started - SLACK)
    ]
    if not fresh:
        return None
    return max(fresh, key=lambda record: (record.outcome != "intervention", record.at))


def _outcome(
    files: RunFiles,
    autonomy: AutonomyState | None,
    record: EndRecord | None,
    fresh: _Freshness,
) -> str:
    if record is not None and record.outcome != "intervention":
        return _normal_outcome(record.outcome)
    final = _STATUS_OUTCOMES.get(autonomy.status or "") if autonomy else None
    if final is not None:
        return final
    end = files.events
    if end.ended_at is not None:
        if end.end_reason in ("stop_requested", "interrupted") or end.stop_requested_at:
            return "stopped" if end.end_reason != "interrupted" else "interrupted"
        if end.end_result == 0:
            return "complete"
        return "failed"
    if record is not None:  # the last word was "waiting for a person", and then it died
        return "ended_while_paused"
    if fresh.file("COMPLETED"):
        return "complete"
    if "STOP" in files.mtimes or end.stop_requested_at is not None:
        return "stopped"
    return "died"


def _normal_outcome(word: str) -> str:
    if word in _OUTCOME_STATUS:
        return word
    return _STATUS_OUTCOMES.get(word, word)


def _ended_at(
    files: RunFiles,
    record: EndRecord | None,
    started: datetime | None,
    last_activity: datetime | None,
) -> datetime | None:
    """When the run ended by its own account: its session_end event, else when it wrote its
    end record, else its last write (a run killed outright writes nothing more)."""
    for at in (files.events.ended_at, record.at if record else None):
        if at is not None and (started is None or at >= started):
            return at
    return last_activity or max(files.mtimes.values(), default=None)


def _exit_code(files: RunFiles, autonomy: AutonomyState | None) -> int | None:
    """The run's exit status: its session_end's result, else autonomy-state's once it holds a
    final status (before that, lastExitCode is the last provider call's, not the run's)."""
    if files.events.end_result is not None:
        return files.events.end_result
    if autonomy is not None and (autonomy.status or "") in _STATUS_OUTCOMES:
        return autonomy.last_exit_code
    return None


def _error_text(files: RunFiles, started: datetime | None) -> str | None:
    error = files.last_error
    if error is None or (started is not None and error.at is not None and error.at < started):
        return None
    return error.brief or error.error_class


def _ended_summary(outcome: str, files: RunFiles, iteration: int, error: str | None) -> str:
    after = f"after {iteration} iteration{'s' if iteration != 1 else ''}"
    pending = files.pending_tasks or 0
    left = f"; {pending} task{'s' if pending != 1 else ''} still pending" if pending else ""
    left += _failed_note(files)
    texts = {
        "complete": f"Completed {after}.",
        "max_iterations": f"Stopped at its iteration limit {after}{left}.",
        "max_duration": f"Stopped at its time limit {after}{left}.",
        "force_stopped": f"The completion council stopped it without approval {after}{left}.",
        "stopped": f"Stopped on request {after}{left}.",
        "interrupted": f"Interrupted by a signal {after}{left}.",
        "budget_exceeded": f"Stopped over its budget {after}{left}.",
        "ended_while_paused": f"Ended while paused, waiting for a person, {after}{left}.",
        "policy_blocked": f"Blocked by a policy {after}.",
        "gate_stuck": f"Stopped: a quality gate kept failing {after}.",
        "failed": f"Failed {after}.",
        "died": f"Its process ended without recording why, {after}{left}.",
    }
    text = texts.get(outcome, f"Ended ({outcome.replace('_', ' ')}) {after}.")
    if error and outcome in ("failed", "gate_stuck", "died", "policy_blocked"):
        text = f"{text[:-1]}: {error}"
    return text


def _phase(files: RunFiles, fresh: _Freshness, alive: bool) -> str | None:
    """The phase the run is (or last was) working in: its events first, then orchestrator.json
    and dashboard-state.json if this run wrote them; never the teardown's FAILED once over (the
    runner writes it after every end, even a completed one)."""
    if files.events.phases:
        return files.events.phases[-1].phase if alive else files.events.working_phase
    for rel, source in (
        ("state/orchestrator.json", files.orchestrator),
        ("dashboard-state.json", files.state),
    ):
        phase = source.phase if source is not None and fresh.file(rel) else None
        if phase and not (phase == "FAILED" and not alive):
            return phase
    return None


def _human_input(files: RunFiles, started: datetime | None) -> tuple[str, datetime] | None:
    """run.sh moves HUMAN_INPUT.md to logs/human-input-<time>.md when it takes it, to
    human-input-REJECTED-<time>.md when prompt injection is off (REJECTED-TOOLARGE- over 1 MiB);
    the move is when it answered."""
    own = [
        (name, at) for name, at in files.human_inputs if started is None or at >= started - SLACK
    ]
    if not own:
        return None
    name, at = max(own, key=lambda item: item[1])
    if "REJECTED-TOOLARGE" in name:
        return "too_large", at
    return ("rejected" if "REJECTED" in name else "accepted"), at


def _after(at: datetime | None, mark: datetime | None) -> bool:
    return at is not None and mark is not None and at >= mark


def _newest(*times: datetime | None) -> datetime | None:
    return max((t for t in times if t is not None), default=None)


def _capped(at: datetime | None, ended: datetime | None) -> datetime | None:
    if at is None or ended is None:
        return at
    return min(at, ended)
