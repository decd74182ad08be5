"""Opaque page cursors: a JSON list of sort-key values, base64url-encoded.

Clients pass a page's `next_cursor` back unchanged; anything else is a 422, never a 500.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from loki_dashboard.errors import InvalidInput


def invalid_cursor() -> InvalidInput:
    """The error for a cursor we did not make (or one that no longer decodes)."""
    return InvalidInput(
        "cursor is not valid: pass the next_cursor of a previous page unchanged",
        details=[{"field": "cursor"}],
    )


def encode_cursor(*parts: Any) -> str:
    raw = json.dumps(list(parts), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, *types: type) -> list[Any]:
    """The values a cursor carries, checked against `types` (str values stay strings)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        parts = json.loads(raw)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        parts = None
    if (
        not isinstance(parts, list)
        or len(parts) != len(types)
        or not all(
            isinstance(p, t) and not isinstance(p, bool) for p, t in zip(parts, types, strict=True)
        )
    ):
        raise invalid_cursor()
    return parts
