"""Audit trail response model."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from loki_dashboard.schemas.common import Schema


class AuditRecord(Schema):
    id: uuid.UUID
    created_at: datetime
    actor: str
    remote: str | None
    action: str
    target: str | None
    details: dict[str, Any] | None
