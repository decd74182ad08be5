"""The wire format of every real-time message: `{type, channel, timestamp, seq, data}`.

An event is serialised once per channel it goes to (at most three), never once per client.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime
from typing import Any

import orjson

from loki_dashboard.realtime.events import DomainEvent

logger = logging.getLogger(__name__)
GLOBAL = "global"
# The global channel carries everything but stays light: log lines travel without their text.
_GLOBAL_LOG_FIELDS = ("id", "project_id", "session_id", "level", "source", "timestamp")


def channels_of(event: DomainEvent) -> list[str]:
    """The channels an event is published on, broadest first."""
    channels = [GLOBAL]
    if event.project_id is not None:
        channels.append(f"project:{event.project_id}")
    if event.session_id is not None:
        channels.append(f"session:{event.session_id}")
    return channels


def _dumps(message: dict[str, Any]) -> str:
    # orjson: several times faster than json.dumps, and every log line is an event.
    try:
        return orjson.dumps(message, default=str, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError as exc:
        # What orjson refuses (an integer beyond 64 bits from a run's file, …) the standard
        # library writes: the event still goes out, whole.
        logger.warning("event written by the slow JSON encoder: %s", exc)
        return json.dumps(message, default=str, ensure_ascii=False, separators=(",", ":"))


class EventEncoder:
    """Serialises one event for each of its channels, dumping its data only once."""

    def __init__(self, seq: int, event: DomainEvent) -> None:
        self._head = f'{{"type":{json.dumps(event.type)},"channel":'
        self._tail = f',"timestamp":"{event.timestamp.isoformat()}","seq":{seq},"data":'
        self._event = event
        self._data: str | None = None

    def for_channel(self, channel: str) -> str:
        event = self._event
        if channel == GLOBAL and event.type == "log:entry":
            light = {key: event.data[key] for key in _GLOBAL_LOG_FIELDS if key in event.data}
            data = _dumps(light)
        else:
            if self._data is None:
                self._data = _dumps(event.data)
            data = self._data
        return f"{self._head}{json.dumps(channel)}{self._tail}{data}}}"


def encode_event(seq: int, channel: str, event: DomainEvent) -> str:
    return EventEncoder(seq, event).for_channel(channel)


def encode_control(kind: str, *, seq: int | None = None, **data: Any) -> str:
    """A message that is not an event (pong, error, resync, subscribed, heartbeat)."""
    return _dumps(
        {
            "type": kind,
            "channel": GLOBAL,
            "timestamp": datetime.now(UTC).isoformat(),
            "seq": seq,
            "data": data,
        }
    )


def sse_log_message(entry: dict[str, Any]) -> str:
    """One server-sent log line (`LogEntry`'s JSON); its `id` is the log id, for resuming."""
    try:
        data = _dumps(entry)
    except TypeError:  # what orjson refuses (an integer past 64 bits) the standard library takes
        data = json.dumps(entry, default=str)
    return f"id: {entry.get('id')}\nevent: log\ndata: {data}\n\n"


def initial_seq() -> int:
    """Where a process-local sequence starts: above anything an earlier run of the server
    handed out (microseconds since the epoch), so a client's old `since` is seen as too old."""
    return time.time_ns() // 1000
