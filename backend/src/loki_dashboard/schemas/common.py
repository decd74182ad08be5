"""Shared schema base and pagination envelopes."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict

T = TypeVar("T")


class Schema(BaseModel):
    """Base of every API model: reads ORM objects, refuses unknown fields in requests."""

    model_config = ConfigDict(from_attributes=True, extra="forbid")


class Page(Schema, Generic[T]):
    """A page of items with the opaque cursor of the next page (None at the end)."""

    items: list[T]
    next_cursor: str | None = None
