"""The in-process event bus: every committed change is handed to each subscriber in order."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from loki_dashboard.realtime.events import DomainEvent

logger = logging.getLogger(__name__)

Subscriber = Callable[[Sequence[DomainEvent]], Awaitable[None]]


class EventBus:
    """Fans committed events out to subscribers (the WebSocket hub, SSE streams, tests)."""

    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        """Add a subscriber; returns a function that removes it again."""
        self._subscribers.append(subscriber)
        return lambda: self._subscribers.remove(subscriber)

    async def publish(self, events: Sequence[DomainEvent]) -> None:
        if not events:
            return
        for subscriber in list(self._subscribers):
            try:
                await subscriber(events)
            except Exception:  # one broken subscriber must not starve the others
                logger.exception("event subscriber failed")
