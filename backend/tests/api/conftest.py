"""Fixtures of the API tests."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from loki_dashboard.realtime.events import DomainEvent


@pytest.fixture
def events(app: FastAPI) -> list[DomainEvent]:
    """Every event the app's bus publishes during the test, in order."""
    seen: list[DomainEvent] = []

    async def collect(batch: Any) -> None:
        seen.extend(batch)

    app.state.bus.subscribe(collect)
    return seen
