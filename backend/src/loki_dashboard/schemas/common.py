"""Shared schema base and pagination envelopes."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, model_validator

T = TypeVar("T")

# A provider name goes into the runner's argument list ({provider}): a plain lowercase word.
PROVIDER_PATTERN = r"^[a-z][a-z0-9_-]{0,31}$"
# One line of printable text: no control characters (a newline, a tab, an escape, NUL).
ONE_LINE_PATTERN = r"^[^\x00-\x1f\x7f]*$"


class Schema(BaseModel):
    """Base of every API model: reads ORM objects, refuses unknown fields in requests."""

    model_config = ConfigDict(from_attributes=True, extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _no_nul_characters(cls, data: Any) -> Any:
        if _contains_nul(data):
            raise ValueError("text must not contain NUL characters (\\u0000)")
        return data


def _contains_nul(value: Any) -> bool:
    """Whether any string in plain JSON data holds a NUL (PostgreSQL text cannot store one)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_contains_nul(item) for item in value)
    return False


class Page(Schema, Generic[T]):
    """A page of items with the opaque cursor of the next page (None at the end)."""

    items: list[T]
    next_cursor: str | None = None
