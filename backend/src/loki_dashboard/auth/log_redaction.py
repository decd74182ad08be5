"""No token ever reaches a log line: every log record has `loki_…` secrets masked when created.

A record factory, rather than a handler filter, because uvicorn replaces the handlers when it
configures logging; the factory sees every record from every logger.
"""

from __future__ import annotations

import logging
import re
from typing import Any

TOKEN_PATTERN = re.compile(r"loki_[A-Za-z0-9_\-]{20,}")
_installed = False


def redact(text: str) -> str:
    return TOKEN_PATTERN.sub("loki_[REDACTED]", text)


def _clean(value: Any) -> Any:
    return redact(value) if isinstance(value, str) else value


def install() -> None:
    """Mask tokens in every log record made from now on (idempotent)."""
    global _installed
    if _installed:
        return
    make_record = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        record.msg = _clean(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_clean(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _clean(value) for key, value in record.args.items()}
        return record

    logging.setLogRecordFactory(factory)
    _installed = True
