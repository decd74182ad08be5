"""Run session request and response models."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from loki_dashboard.schemas.common import ONE_LINE_PATTERN, PROVIDER_PATTERN, JsonObject, Schema

SessionStatus = Literal[
    "starting", "running", "paused", "stopping", "stopped", "failed", "completed"
]


class SessionCreate(Schema):
    project_id: uuid.UUID
    prd_path: str | None = Field(
        default=None,
        min_length=1,
        max_length=4096,
        pattern=ONE_LINE_PATTERN,
        description="The PRD file, relative to the project folder (or absolute inside it); "
        "starting a run needs a regular file there. Without one the runner starts in perpetual "
        "mode: no spec, it keeps inventing work until stopped, and deletes PAUSE.",
    )
    provider: str | None = Field(
        default=None,
        min_length=1,
        max_length=32,
        pattern=PROVIDER_PATTERN,
        description="Default: the project's provider",
    )
    config: JsonObject | None = None
    start: bool = Field(
        default=True,
        description="Start the runner command in the project folder; false only records a "
        "session for a run started elsewhere",
    )


class Session(Schema):
    id: uuid.UUID
    project_id: uuid.UUID
    prd_path: str | None
    status: str
    phase: str | None
    provider: str
    pid: int | None
    iteration: int
    started_at: datetime
    ended_at: datetime | None
    exit_code: int | None
    outcome: str | None = Field(
        default=None,
        description="How the run ended, in the runner's own words: complete, max_iterations, "
        "max_duration, stopped, force_stopped, interrupted, failed, gate_stuck, policy_blocked, "
        "ended_while_paused, died (its process ended without recording why); null while live",
    )
    summary: str | None = Field(
        default=None, description="The run's state in one sentence, with its numbers"
    )
    last_activity_at: datetime | None = Field(
        default=None, description="The run's newest write to its files"
    )
    cost_usd: float | None = Field(default=None, description="Spent by this run alone")
    input_tokens: int | None = None
    output_tokens: int | None = None
    config: dict[str, Any] | None
    snapshot: dict[str, Any] | None = Field(
        default=None,
        description="Live status from the run's files: quality gates, council, checklist, "
        "memory counts, tokens, liveness",
    )
