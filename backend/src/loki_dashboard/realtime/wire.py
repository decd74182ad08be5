"""The wire format of every real-time message: `{type, channel, timestamp, seq, data}`.

An event is serialised once per channel it goes to (at most three), never once per client.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

from loki_dashboard.realtime.events import DomainEvent

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
    return json.dumps(message, separators=(",", ":"), default=str)


def encode_event(seq: int, channel: str, event: DomainEvent) -> str:
    data = event.data
    if channel == GLOBAL and event.type == "log:entry":
        data = {key: data[key] for key in _GLOBAL_LOG_FIELDS if key in data}
    return _dumps(
        {
            "type": event.type,
            "channel": channel,
            "timestamp": event.timestamp.isoformat(),
            "seq": seq,
            "data": data,
        }
    )


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


def initial_seq() -> int:
    """Where a process-local sequence starts: above anything an earlier run of the server
    handed out (microseconds since the epoch), so a client's old `since` is seen as too old."""
    return time.time_ns() // 1000
