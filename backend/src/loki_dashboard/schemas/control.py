"""Session control request and response models."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from loki_dashboard.schemas.common import Schema


class HumanInput(Schema):
    text: str = Field(min_length=1, description="Markdown for the agent; at most 1 MiB")


class ModelSwitch(Schema):
    model: Literal["haiku", "sonnet", "opus"]


class ControlResult(Schema):
    action: str
    status: str = Field(description="requested, done, …")
    message: str = Field(description="What happens next, for the user")
