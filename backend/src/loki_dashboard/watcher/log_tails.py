"""Following a run's log files and `events.jsonl`: read positions, and when each line was written.

A cursor per file resumes exactly where the database ends (it is saved with the rows). Log
lines carry no time of their own except the runner's headers, so each line is dated from the
run: the time it states, else the last header time before it in the same catch-up (a file read
from far behind), else the file's modification time at the read (a line read as it is written).
Dates only ever move forward within a file. Reading and parsing happen in one worker hop.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from loki_dashboard.loki.agent_usage import CallUsage, UsageDelta, usage_of
from loki_dashboard.loki.events_log import LokiEvent, parse_event_line
from loki_dashboard.loki.files import is_ignored_name, stamp
from loki_dashboard.loki.key_blocks import KeyBlocks
from loki_dashboard.loki.log_lines import parse_line, redact, redact_data
from loki_dashboard.loki.tail import Cursor, TailRead, read_new_lines
from loki_dashboard.watcher.file_index import FileIndex

logger = logging.getLogger(__name__)

# (message, raw, level, written at, metadata)
Line = tuple[str, str, str, datetime, dict[str, Any] | None]
# What log lines say of the run's current step: {"rarv": (stage, at), "model": (name, at)}.
Stage = dict[str, tuple[str, datetime]]
EVENTS = "events.jsonl"
# events.jsonl is read whole the first time (up to this much): the current run's first events
# date it and name its pid. Logs start near their end (loki.tail.INITIAL_BACKLOG).
EVENTS_BACKLOG = 8 * 1024 * 1024


@dataclass(frozen=True)
class Batch:
    """One read of one file: its new lines, dated, and what they tell about the run."""

    lines: list[Line]
    read: TailRead
    source_path: Path
    events: list[LokiEvent]
    stage: Stage
    anchor: datetime | None
    # What the agent's stream says each agent used: (index of the line saying it, delta).
    usage: list[tuple[int, UsageDelta]]


def log_targets(index: FileIndex) -> list[str]:
    """`logs/agent.log` (the runner writes it for dashboards), and the newest other log except
    the daily `autonomy-*.log`, which repeats agent.log line for line; without agent.log, the
    newest log of any name."""
    logs = [rel for rel in index.present("logs/*.log") if not is_ignored_name(rel[5:])]
    if "logs/agent.log" not in logs:
        newest = index.newest(logs)
        return [newest] if newest is not None else []
    others = [
        rel for rel in logs if rel != "logs/agent.log" and not rel[5:].startswith("autonomy-")
    ]
    newest = index.newest(others)
    return ["logs/agent.log", *([newest] if newest is not None else [])]


def read_batch(
    loki_dir: Path,
    rel: str,
    cursor: Cursor | None,
    anchor: datetime | None,
    call: CallUsage | None = None,
    blocks: KeyBlocks | None = None,
) -> Batch:
    """Worker-thread side: the lines written to `rel` after `cursor`, parsed and dated; with
    `call` (the agent's log), what each agent used, `call` carrying the provider call under way
    from one read to the next."""
    path = loki_dir / rel
    source = _rotated_to(path, cursor) if rel == EVENTS else path
    if rel == EVENTS:
        read = read_new_lines(source, cursor, backlog=EVENTS_BACKLOG)
    else:
        read = read_new_lines(source, cursor)
    current = stamp(source)
    written = (
        datetime.fromtimestamp(current.mtime_ns / 1e9, UTC) if current is not None else None
    ) or datetime.now(UTC)
    if rel == EVENTS:
        lines, events = parse_events(read.lines, written)
        return Batch(lines, read, source, events, {}, None, [])
    lines, anchor, stage, usage = parse_logs(read.lines, written, anchor, call, blocks)
    return Batch(lines, read, source, [], stage, anchor, usage)


def parse_logs(
    raw_lines: list[bytes],
    written: datetime,
    anchor: datetime | None,
    call: CallUsage | None = None,
    blocks: KeyBlocks | None = None,
) -> tuple[
    list[Line], datetime | None, dict[str, tuple[str, datetime]], list[tuple[int, UsageDelta]]
]:
    """Log lines dated (see the module docstring); the anchor to carry into the next read of
    the same catch-up, what the lines say of the current step (its RARV stage, the model of its
    provider call) with their times, and (with `call`) what each
    agent used, by the index of the line that says so. Pure but for `call` and `blocks` (the
    file's private-key tracker), which it updates."""
    texts = [raw.decode("utf-8", "replace") for raw in raw_lines]
    parsed = [(text, parse_line(text, blocks)) for text in texts]
    parsed = [(text, line) for text, line in parsed if line.message.strip()]
    first_stated = next((line.at for _, line in parsed if line.at is not None), None)
    out: list[Line] = []
    usage: list[tuple[int, UsageDelta]] = []
    stage: Stage = {}
    current = anchor
    for text, line in parsed:
        if line.at is not None:
            current = max(line.at, current) if current is not None else line.at
        at = current if current is not None else min(first_stated or written, written)
        if line.rarv is not None:
            stage["rarv"] = (line.rarv, at)
        if text.startswith('{"type":"system"') and (model := _init_model(text)):
            stage["model"] = (model, at)
        if call is not None:
            usage.extend((len(out), delta) for delta in usage_of(text.rstrip("\r\n"), call))
        out.append((line.message, line.raw, line.level, at, None))
    return out, current, stage, usage


def _init_model(text: str) -> str | None:
    """The model a provider call runs on, from its stream's `system` `init` line."""
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, dict) or value.get("subtype") != "init":
        return None
    model = value.get("model")
    return model[:64] if isinstance(model, str) and model else None


def parse_events(raw_lines: list[bytes], written: datetime) -> tuple[list[Line], list[LokiEvent]]:
    """events.jsonl lines as log rows (their own timestamps) and as events for the run's fold;
    torn or foreign lines are skipped. Pure."""
    out: list[Line] = []
    events: list[LokiEvent] = []
    for raw in raw_lines:
        event = parse_event_line(raw)
        if event is None:
            continue
        events.append(event)
        data = redact_data(event.data)  # events carry prompts and tool input: keys too
        summary = ", ".join(f"{k}={v}" for k, v in list(data.items())[:6])
        message = redact(f"{event.type}: {summary}" if summary else event.type)[:4000]
        meta = {"event": event.type, "data": data}
        out.append((message, message, _event_level(event), event.timestamp or written, meta))
    return out, events


def _event_level(event: LokiEvent) -> str:
    kind = event.type
    status = str(event.data.get("status", "")).lower()
    if "fail" in kind or "crash" in kind or "error" in kind or status == "fail":
        return "error" if kind not in ("stage_complete",) else "warn"
    if kind in ("budget_warning", "gate_stuck", "watchdog_alert", "policy_denied"):
        return "warn"
    if kind in ("phase_change", "iteration_start", "session_start", "session_end"):
        return "step"
    return "info"


def _rotated_to(path: Path, cursor: Cursor | None) -> Path:
    """`path`, or its `.1` when that is the file the cursor was reading and it holds lines the
    cursor has not reached (appended just before the rotation)."""
    if cursor is None:
        return path
    current = stamp(path)
    if current is not None and current.inode == cursor.inode:
        return path
    rotated = path.with_name(path.name + ".1")
    old = stamp(rotated)
    if old is not None and old.inode == cursor.inode and old.size > cursor.offset:
        return rotated
    return path


class Cursors:
    """Read positions per followed file, kept in the project's `watch_state`."""

    def __init__(self, saved: Any) -> None:
        self.items: dict[str, Cursor] = {}
        for rel, value in saved.items() if isinstance(saved, dict) else []:
            if isinstance(value, list) and len(value) == 3:
                self.items[rel] = Cursor(int(value[0]), int(value[1]), bytes.fromhex(value[2]))

    def state(self) -> dict[str, list[Any]]:
        return {rel: [c.inode, c.offset, c.mark.hex()] for rel, c in self.items.items()}

    def rewinder(self, rel: str, before: Cursor | None, after: Cursor | None) -> Callable[[], None]:
        """Undo a batch whose rows were not stored: read its lines again from where it began
        (unless later lines were read since: rewinding then would store those twice). Compared
        by value: a sync that found nothing new in between leaves an equal cursor."""

        def rewind() -> None:
            if self.items.get(rel) == after:
                if before is None:
                    self.items.pop(rel, None)
                else:
                    self.items[rel] = before

        return rewind
