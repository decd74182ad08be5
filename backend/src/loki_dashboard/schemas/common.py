"""Shared schema base and pagination envelopes."""

from __future__ import annotations

import math
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationInfo, model_validator

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


# What every store and client of ours can hold: 64-bit integers, finite numbers, bounded nesting.
INT64_RANGE = range(-(2**63), 2**63)
MAX_JSON_DEPTH = 32


def _json_problem(value: Any, where: str, depth: int) -> str | None:
    """Why `value` (at `where`) cannot be stored and sent as it is, or None."""
    if depth > MAX_JSON_DEPTH:
        return f"{where} is nested deeper than {MAX_JSON_DEPTH} levels"
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return None
    if isinstance(value, int):
        if value in INT64_RANGE:
            return None
        return f"{where} is an integer beyond 64 bits; send it as a string"
    if isinstance(value, float):
        return None if math.isfinite(value) else f"{where} is not a finite number"
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, item in items:
        inner = f"{where}.{key}" if isinstance(value, dict) else f"{where}[{key}]"
        problem = _json_problem(item, inner, depth + 1)
        if problem is not None:
            return problem
    return None


def _storable(value: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
    problem = _json_problem(value, info.field_name or "value", 0)
    if problem is not None:
        raise ValueError(problem)
    return value


# A free-form JSON object from a request (a project's config, a learning's context, …).
JsonObject = Annotated[dict[str, Any], AfterValidator(_storable)]


class Page(Schema, Generic[T]):
    """A page of items with the opaque cursor of the next page (None at the end)."""

    items: list[T]
    next_cursor: str | None = None
