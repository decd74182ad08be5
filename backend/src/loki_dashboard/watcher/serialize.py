"""Rows as JSON-ready dicts, for the `data` of the events the watcher publishes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import inspect

from loki_dashboard.db.base import Base


def jsonable(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def row_data(row: Base) -> dict[str, Any]:
    """Every column of an ORM row, keyed by attribute name (`meta`, not `metadata`)."""
    mapper = inspect(type(row))
    return {attr.key: jsonable(getattr(row, attr.key)) for attr in mapper.column_attrs}
